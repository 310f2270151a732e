import { retryDelayMs } from './webhook-dispatcher.service.js';

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 1_000],
    [2, 0, 2_000],
    [5, 0, 16_000],
    [30, 0, 3_600_000],
    [3, 1, 4_400],
  ])('after attempt %i (jitter %d) waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, 1_000, random)).toBe(expected);
  });
});
