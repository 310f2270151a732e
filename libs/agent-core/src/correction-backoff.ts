/**
 * Remembers when each field was corrected, so a field someone keeps changing back is recognised as
 * a fight (design.md §6): from `threshold` corrections within `windowMs`, further corrections wait
 * an exponentially growing delay (capped at the window) and the bundle reports `fighting`.
 */
export class CorrectionBackoff {
  private readonly history = new Map<string, number[]>();

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  private recent(key: string): number[] {
    const now = this.clock();
    const kept = (this.history.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length) this.history.set(key, kept);
    else this.history.delete(key);
    return kept;
  }

  /** Whether the field is being fought over (corrected `threshold` times within the window). */
  fighting(key: string): boolean {
    return this.recent(key).length >= this.threshold;
  }

  /** Whether a correction may happen now; false while backing off. */
  mayCorrect(key: string): boolean {
    const times = this.recent(key);
    if (times.length < this.threshold) return true;
    const delay = Math.min(this.windowMs, 1000 * 2 ** (times.length - this.threshold));
    return this.clock() - times[times.length - 1]! >= delay;
  }

  recordCorrection(key: string): void {
    this.history.set(key, [...this.recent(key), this.clock()]);
  }

  /** Forget a field once it no longer drifts for a whole check. */
  forgetUnless(stillDrifting: ReadonlySet<string>, prefix: string): void {
    for (const key of [...this.history.keys()]) if (key.startsWith(prefix) && !stillDrifting.has(key) && !this.fighting(key)) this.history.delete(key);
  }
}
