/** Thrown when a gate's queue is full: the caller refuses the work instead of queueing it. */
export class AdmissionGateFullError extends Error {
  override readonly name = 'AdmissionGateFullError';
}

/**
 * Bounds concurrent work of one kind — the certificate check and the Hello of connecting agents —
 * so a connect storm queues instead of starving the streams already connected (their acks,
 * statuses and pushes share the same event loop and database pool). Work beyond `maxActive`
 * waits in arrival order; beyond `maxWaiting` it is refused at once, so the agent backs off.
 */
export class AdmissionGate {
  private activeCount = 0;
  private peak = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(maxActive) || maxActive < 1) throw new RangeError(`AdmissionGate: maxActive must be a positive integer, got ${maxActive}`);
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new RangeError(`AdmissionGate: maxWaiting must be a non-negative integer, got ${maxWaiting}`);
  }

  get active(): number {
    return this.activeCount;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** The longest the queue has been. */
  get peakWaiting(): number {
    return this.peak;
  }

  /** Runs `work` once a slot is free; rejects with AdmissionGateFullError when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.activeCount >= this.maxActive) {
      if (this.queue.length >= this.maxWaiting) throw new AdmissionGateFullError(`${this.queue.length} connecting agents are already waiting`);
      await new Promise<void>((resolve) => {
        this.queue.push(resolve);
        this.peak = Math.max(this.peak, this.queue.length);
      });
    } else {
      this.activeCount++;
    }
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next in line (activeCount unchanged), or is freed.
      if (next) next();
      else this.activeCount--;
    }
  }
}
