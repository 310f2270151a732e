/** Exponential backoff settings: `initialMs × factor^n`, ±`jitter` (a fraction), never above `maxMs`. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, factor: 1.6, jitter: 0.2, maxMs: 30_000 };

/**
 * The delays between attempts. Jitter spreads a fleet that lost its hub at the same instant, so
 * thousands of agents do not come back in lock-step; every delay stays within [0, maxMs].
 */
export class Backoff {
  private attempts = 0;
  private readonly options: BackoffOptions;

  constructor(
    options: Partial<BackoffOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    const { initialMs, factor, jitter, maxMs } = this.options;
    if (!(initialMs > 0) || !(factor >= 1) || !(jitter >= 0 && jitter < 1) || !(maxMs >= initialMs)) {
      throw new RangeError(`invalid backoff ${JSON.stringify(this.options)}: need initialMs > 0, factor ≥ 1, 0 ≤ jitter < 1, maxMs ≥ initialMs`);
    }
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt. */
  next(): number {
    const { initialMs, factor, jitter, maxMs } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempts);
    this.attempts++;
    const spread = 1 + jitter * (2 * this.random() - 1);
    return Math.max(0, Math.min(maxMs, Math.round(base * spread)));
  }

  /** Back to `initialMs` (after a success). */
  reset(): void {
    this.attempts = 0;
  }
}
