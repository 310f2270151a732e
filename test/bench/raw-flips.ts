// How many health flips one deployment gets in one batch of a raw ingest baseline.
//
// A batch writes an event for a deployment only when it leaves its health changed: an odd number
// of flips. With the same number for every deployment, a raw baseline writes an event for all of
// them or for none, while the hub's batches write one for some share. To do the same work as the
// hub, the baseline gives that share of its deployments an odd number of flips, and the rest an even
// one, each as close to the hub's average as the parity allows (one more or one fewer, alternately).

/** Flips for deployment `index` in round `round`: about `average`, odd for about `changedShare` of the deployments. */
export function flipsPerBatch(average: number, changedShare: number, index: number, round: number): number {
  // Spread which deployments change evenly over indexes and rounds, the same on every run.
  const changes = ((index * 7919 + round * 104_729) % 1_000) / 1_000 < changedShare;
  if ((average % 2 === 1) === changes) return average;
  return average === 1 || (index + round) % 2 === 0 ? average + 1 : average - 1;
}
