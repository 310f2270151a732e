import { Backoff } from './backoff.util.js';

describe('Backoff', () => {
  it('grows by the factor from the initial delay and stops at the cap', () => {
    const backoff = new Backoff({ initialMs: 500, factor: 1.6, jitter: 0, maxMs: 2_000 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([500, 800, 1280, 2000, 2000, 2000]);
  });

  it.each([
    ['lowest', 0, 400],
    ['highest', 0.999_999, 600],
  ])('spreads each delay by ±jitter (%s draw)', (_label, draw, expected) => {
    expect(new Backoff({ initialMs: 500, factor: 1.6, jitter: 0.2, maxMs: 30_000 }, () => draw).next()).toBeCloseTo(expected, -1);
  });

  it('never exceeds the cap, even with jitter on top', () => {
    const backoff = new Backoff({ initialMs: 500, factor: 1.6, jitter: 0.2, maxMs: 1_000 }, () => 0.999);
    for (let i = 0; i < 20; i++) expect(backoff.next()).toBeLessThanOrEqual(1_000);
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, factor: 2, jitter: 0, maxMs: 10_000 });
    backoff.next();
    backoff.next();
    expect(backoff.attempt).toBe(2);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it.each([[{ initialMs: 0 }], [{ factor: 0.5 }], [{ jitter: 1 }], [{ initialMs: 1_000, maxMs: 10 }]])('refuses %j', (options) => {
    expect(() => new Backoff(options)).toThrow(RangeError);
  });
});
