import type { JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf, resourceKey } from '../schema/resource-type.js';
import { badRequest } from './api-status.error.js';
import type { ObjectRef, WatchOptions } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { selectorPredicate } from './read-verb.js';
import type { WatchEvent, WatchHandle } from './watch-hub.js';

/**
 * WATCH: without a resourceVersion (or "0"), first an ADDED event per existing object, then
 * changes; with one, every change after it (410 Expired when older than the watch window).
 * `sendInitialEvents` ends the initial events with a BOOKMARK annotated
 * `k8s.io/initial-events-end`; `allowWatchBookmarks` adds periodic BOOKMARKs carrying the
 * current resourceVersion.
 */
export function watchObjects(
  state: ClusterState,
  ref: ObjectRef,
  options: WatchOptions,
  deliver: (event: WatchEvent) => void,
  bookmarkIntervalMs: number,
): WatchHandle {
  const matches = selectorPredicate(options);
  const raw = options.resourceVersion;
  if (raw !== undefined && raw !== '' && !/^\d+$/.test(raw)) throw badRequest(`invalid resource version: ${raw}`);
  const fromState = raw === undefined || raw === '' || raw === '0' || options.sendInitialEvents === true;
  const from = fromState ? state.resourceVersion : Number(raw);
  const bookmark = (annotations?: Record<string, string>): WatchEvent => ({
    type: 'BOOKMARK',
    object: {
      kind: ref.type.kind,
      apiVersion: apiVersionOf(ref.type),
      metadata: { resourceVersion: String(state.resourceVersion), ...(annotations ? { annotations } : {}) },
    },
  });
  const initial: JsonObject[] = fromState ? state.list(ref.type, ref.namespace).filter(matches) : [];
  let stopped = false;
  const handle = state.hub.watch({ resourceKey: resourceKey(ref.type), namespace: ref.type.namespaced ? ref.namespace : undefined, fromResourceVersion: from, matches }, (e) => {
    if (!stopped) deliver(e);
  });
  for (const object of initial) deliver({ type: 'ADDED', object });
  if (options.sendInitialEvents && options.allowWatchBookmarks) deliver(bookmark({ 'k8s.io/initial-events-end': 'true' }));
  const timer = options.allowWatchBookmarks ? setInterval(() => deliver(bookmark()), bookmarkIntervalMs) : undefined;
  timer?.unref();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
      handle.stop();
    },
  };
}
