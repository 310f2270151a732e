import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { healthOf, type ObjectHealth } from './health-rules.util.js';
import { mapConcurrent } from './map-concurrent.util.js';
import { identityOfRef, keyOfRef, type ObjectRef } from './object-ref.util.js';

/** One object's live state and health; Unknown when it could not be read. */
export interface HealthResult {
  readonly ref: ObjectRef;
  readonly live?: KubeObject;
  readonly health: ObjectHealth;
}

/**
 * Reads every object and judges its health (design.md §6). A resource Progressing since before
 * `deadline` (its first sighting as Progressing, tracked by the caller in `since`) is reported
 * Degraded, transient: something a person should look at, which may still recover. At most
 * `concurrency` reads are in flight: a bundle of hundreds of objects must not open as many
 * connections to the API server at once.
 */
export async function checkHealth(
  client: ClusterClient,
  refs: readonly ObjectRef[],
  since: Map<string, number>,
  now: number,
  progressDeadlineMs: number,
  concurrency: number,
  /** Objects just read or written by the caller (an apply's or a drift check's answer), by identity: not read again. */
  known?: ReadonlyMap<string, KubeObject>,
): Promise<HealthResult[]> {
  return mapConcurrent(refs, concurrency, async (ref): Promise<HealthResult> => {
    const identity = identityOfRef(ref);
    let live: KubeObject | undefined = known?.get(identity);
    try {
      live ??= await client.get(keyOfRef(ref));
    } catch (err) {
      return { ref, health: { health: 'Unknown', message: `cannot read: ${(err as Error).message}`, terminal: false } };
    }
    const health = healthOf(live);
    if (health.health !== 'Progressing') {
      since.delete(identity);
      return { ref, live, health };
    }
    const start = since.get(identity) ?? now;
    since.set(identity, start);
    if (now - start > progressDeadlineMs) {
      return { ref, live, health: { health: 'Degraded', message: `not healthy after ${Math.round((now - start) / 1000)}s: ${health.message}`, terminal: false } };
    }
    return { ref, live, health };
  });
}
