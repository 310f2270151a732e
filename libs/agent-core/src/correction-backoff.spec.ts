import { CorrectionBackoff } from './correction-backoff.js';

describe('CorrectionBackoff', () => {
  it('recognises a fight after the threshold and backs off exponentially within the window', () => {
    let now = 0;
    const backoff = new CorrectionBackoff(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(backoff.mayCorrect('f')).toBe(true);
      backoff.recordCorrection('f');
      now += 10;
    }
    expect(backoff.fighting('f')).toBe(true);
    expect(backoff.mayCorrect('f')).toBe(false);
    now += 1000;
    expect(backoff.mayCorrect('f')).toBe(true);
    backoff.recordCorrection('f');
    now += 1500;
    expect(backoff.mayCorrect('f')).toBe(false);
    now += 60_000;
    expect(backoff.fighting('f')).toBe(false);
    expect(backoff.mayCorrect('f')).toBe(true);
  });
});
