import type { BundleReport } from './reconciler.js';

/**
 * The reports waiting to be sent: only the newest per bundle (a newer report supersedes an older
 * one entirely, so the older is never worth sending). It also remembers the last report of every
 * bundle, so that after a reconnect the hub can be told the current state of all of them again.
 */
export class ReportQueue {
  private readonly latest = new Map<string, BundleReport>();
  private readonly pending = new Set<string>();

  /** Records a report; it replaces any unsent one for the same bundle. */
  put(report: BundleReport): void {
    this.latest.set(report.bundle, report);
    this.pending.delete(report.bundle);
    this.pending.add(report.bundle);
  }

  /** Queues the last report of every bundle again (after a new stream's Welcome). */
  requeueAll(): void {
    for (const bundle of this.latest.keys()) this.pending.add(bundle);
  }

  /** The oldest-queued pending report, removed from the queue; undefined when none is pending. */
  take(): BundleReport | undefined {
    const next = this.pending.values().next();
    if (next.done) return undefined;
    this.pending.delete(next.value);
    return this.latest.get(next.value);
  }

  /** How many bundles have a report waiting. */
  get size(): number {
    return this.pending.size;
  }
}
