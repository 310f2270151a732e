/** Counts of one rollout wave, as the hub reports them. */
export interface WaveCounts {
  readonly clusters: number;
  readonly done: number;
  readonly failed: number;
  readonly inProgress: number;
  readonly rolledBack: number;
}

/**
 * A fixed-width bar of a wave: `#` done, `!` failed or rolled back, `>` in progress, `.` not started, e.g.
 * `[######>>>.....]`. Every class with at least one cluster gets at least one cell, so nothing is hidden by rounding.
 */
export function progressBar(counts: WaveCounts, width = 20): string {
  const total = counts.clusters;
  if (total <= 0) return `[${' '.repeat(width)}]`;
  const parts: [string, number][] = [
    ['#', counts.done],
    ['!', counts.failed + counts.rolledBack],
    ['>', counts.inProgress],
  ];
  const cells = parts.map(([, n]) => (n > 0 ? Math.max(1, Math.round((n / total) * width)) : 0));
  // Rounding up small classes can overflow the bar: take the excess from the largest class.
  while (cells.reduce((a, b) => a + b, 0) > width) {
    const largest = cells.indexOf(Math.max(...cells));
    cells[largest] = cells[largest]! - 1;
  }
  // A wave entirely done (or failed) fills the bar, whatever the rounding.
  const counted = counts.done + counts.failed + counts.rolledBack + counts.inProgress;
  if (counted >= total) {
    const largest = cells.indexOf(Math.max(...cells));
    cells[largest] = cells[largest]! + (width - cells.reduce((a, b) => a + b, 0));
  }
  const filled = parts.map(([char], i) => char.repeat(cells[i]!)).join('');
  return `[${filled}${'.'.repeat(width - filled.length)}]`;
}
