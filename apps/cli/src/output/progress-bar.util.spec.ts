import { progressBar } from './progress-bar.util.js';

const wave = (clusters: number, done = 0, inProgress = 0, failed = 0, rolledBack = 0) => ({ clusters, done, inProgress, failed, rolledBack });

describe('progressBar', () => {
  it.each([
    [wave(4), '[..........]'],
    [wave(4, 2), '[#####.....]'],
    [wave(4, 4), '[##########]'],
    [wave(3, 3), '[##########]'],
    [wave(4, 1, 1, 1), '[###!!!>>>.]'],
    [wave(100, 99, 0, 1), '[#########!]'],
    [wave(1000, 0, 1), '[>.........]'],
    [wave(0), '[          ]'],
  ])('%j is %s', (counts, bar) => {
    expect(progressBar(counts, 10)).toBe(bar);
  });

  it('is always as wide as asked', () => {
    for (let done = 0; done <= 7; done += 1) {
      for (let failed = 0; done + failed <= 7; failed += 1) {
        expect(progressBar(wave(7, done, 7 - done - failed, failed), 13)).toHaveLength(15);
      }
    }
  });
});
