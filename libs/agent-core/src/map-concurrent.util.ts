/**
 * `items.map(work)` with at most `limit` calls in flight; results keep the order of `items`. A
 * rejection rejects the whole (after the calls already started have settled), like Promise.all.
 * The API server sees a bounded number of requests from one bundle, and a remote one's round
 * trips overlap instead of adding up.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  return results;
}
