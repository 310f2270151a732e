/** What a catch-up read must return: everything after `after`, and the listed gaps below it. */
export interface CatchUpPlan {
  readonly after: bigint;
  readonly gaps: readonly bigint[];
}

export interface DeliveryWindowOptions {
  /** How long an id skipped over is still expected to commit (sequence gaps from rollbacks never do). */
  readonly gapTtlMs?: number;
  /** Most gaps remembered; beyond that the oldest are forgotten. */
  readonly maxGaps?: number;
  /** Most recently delivered ids remembered, to drop a notification that a catch-up read already delivered. */
  readonly maxRemembered?: number;
}

/**
 * Decides, per event id, whether it is new, and what a catch-up read after a lost LISTEN connection
 * must fetch. Ids come from one sequence but commit out of order, so "everything above the highest id
 * seen" is not enough: ids skipped over (gaps) are remembered for a while, because a transaction that
 * took a lower id may still commit. Guarantees: an id is admitted at most once while it is remembered,
 * and every id above the highest seen, or in a live gap, is in the catch-up plan.
 */
export class DeliveryWindow {
  private highest: bigint;
  private readonly gaps = new Map<bigint, number>();
  private readonly recent = new Set<bigint>();
  /**
   * The remembered ids in delivery order, as a ring: `next` is where the oldest is overwritten. (An
   * array shifted at the front costs a copy of all 50,000 ids per event once full: 90 µs each.)
   */
  private readonly recentOrder: (bigint | undefined)[];
  private next = 0;
  private readonly gapTtlMs: number;
  private readonly maxGaps: number;
  private readonly maxRemembered: number;

  constructor(start: bigint, options: DeliveryWindowOptions = {}) {
    this.highest = start;
    this.gapTtlMs = options.gapTtlMs ?? 120_000;
    this.maxGaps = options.maxGaps ?? 10_000;
    this.maxRemembered = options.maxRemembered ?? 50_000;
    this.recentOrder = new Array<bigint | undefined>(this.maxRemembered);
  }

  /** The highest id admitted (or the start). */
  get last(): bigint {
    return this.highest;
  }

  /** True when the id was not delivered before: the caller delivers it. */
  admit(id: bigint, now = Date.now()): boolean {
    if (this.recent.has(id)) return false;
    this.remember(id);
    if (id > this.highest) {
      const firstGap = id - this.highest > BigInt(this.maxGaps) ? id - BigInt(this.maxGaps) : this.highest + 1n;
      for (let gap = firstGap; gap < id; gap += 1n) this.gaps.set(gap, now);
      this.highest = id;
      this.trimGaps(now);
    } else {
      this.gaps.delete(id);
    }
    return true;
  }

  plan(now = Date.now()): CatchUpPlan {
    this.trimGaps(now);
    return { after: this.highest, gaps: [...this.gaps.keys()] };
  }

  private remember(id: bigint): void {
    const oldest = this.recentOrder[this.next];
    if (oldest !== undefined) this.recent.delete(oldest);
    this.recentOrder[this.next] = id;
    this.next = (this.next + 1) % this.maxRemembered;
    this.recent.add(id);
  }

  private trimGaps(now: number): void {
    for (const [gap, since] of this.gaps) {
      if (now - since <= this.gapTtlMs && this.gaps.size <= this.maxGaps) break;
      this.gaps.delete(gap);
    }
  }
}
