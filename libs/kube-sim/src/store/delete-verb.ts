import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf } from '../schema/resource-type.js';
import { conflict, notFound } from './api-status.error.js';
import { metadataOf, targetOf, type DeleteOptions, type DeleteResult, type ListOptions, type ObjectRef } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './garbage-collector.js';
import { selectorPredicate } from './read-verb.js';

function isNamespace(ref: ObjectRef): boolean {
  return ref.type.group === '' && ref.type.plural === 'namespaces';
}

function hasFinalizers(ref: ObjectRef, obj: JsonObject): boolean {
  const meta = metadataOf(obj);
  if (Array.isArray(meta['finalizers']) && meta['finalizers'].length > 0) return true;
  const spec = obj['spec'];
  return isNamespace(ref) && isJsonObject(spec) && Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0;
}

/**
 * DELETE: an object with finalizers (or a namespace, which has the `kubernetes` finalizer) is
 * marked — deletionTimestamp set, generation bumped, namespace phase Terminating — and stays until
 * its finalizers are removed (finished: false, HTTP 202). Otherwise it is removed at once.
 */
export function deleteObject(state: ClusterState, ref: ObjectRef, options: DeleteOptions): DeleteResult {
  const live = state.get(ref.type, ref.namespace, ref.name ?? '');
  if (!live) throw notFound(targetOf(ref));
  const meta = metadataOf(live);
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== meta['uid']) {
    throw conflict(targetOf(ref), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta['uid'])}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== meta['resourceVersion']) {
    throw conflict(
      targetOf(ref),
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta['resourceVersion'])}`,
    );
  }
  // Foreground and Orphan deletion are finalizers the garbage collector resolves (upstream semantics).
  const policyFinalizer = options.propagationPolicy === 'Foreground' ? FOREGROUND_FINALIZER : options.propagationPolicy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
  if (!hasFinalizers(ref, live) && !policyFinalizer) {
    const object = options.dryRun ? live : state.commit(ref.type, 'DELETED', live, live);
    return { object, finished: true };
  }
  if (meta['deletionTimestamp']) return { object: live, finished: false };
  const held = Array.isArray(meta['finalizers']) ? meta['finalizers'] : [];
  const marked: JsonObject = {
    ...live,
    metadata: {
      ...meta,
      ...(policyFinalizer && !held.includes(policyFinalizer) ? { finalizers: [...held, policyFinalizer] } : {}),
      deletionTimestamp: state.now(),
      deletionGracePeriodSeconds: 0,
      ...(typeof meta['generation'] === 'number' && meta['generation'] > 0 ? { generation: meta['generation'] + 1 } : {}),
    },
  };
  if (isNamespace(ref)) marked['status'] = { ...(isJsonObject(live['status']) ? live['status'] : {}), phase: 'Terminating' };
  const object = options.dryRun ? marked : state.commit(ref.type, 'MODIFIED', marked, live);
  return { object, finished: false };
}

/** DELETE on a collection: deletes every matching object, returning the list of what was deleted. */
export function deleteCollection(state: ClusterState, ref: ObjectRef, list: ListOptions, options: DeleteOptions): JsonObject {
  const matches = selectorPredicate(list);
  const deleted = state
    .list(ref.type, ref.namespace)
    .filter(matches)
    .map((obj) => {
      const meta = metadataOf(obj);
      return deleteObject(state, { ...ref, namespace: meta['namespace'] as string | undefined, name: meta['name'] as string }, options).object;
    });
  return { apiVersion: apiVersionOf(ref.type), kind: ref.type.listKind, metadata: { resourceVersion: String(state.resourceVersion) }, items: deleted };
}

/**
 * One pass of the namespace controller for a terminating namespace: deletes its contents (objects
 * with finalizers stay until those are removed) and, once it is empty, drops the `kubernetes`
 * finalizer so the namespace itself disappears. Returns true when the namespace is gone.
 */
export function finalizeNamespace(state: ClusterState, name: string): boolean {
  const namespaces = state.catalog.get('', 'v1', 'namespaces')!;
  const ns = state.get(namespaces, undefined, name);
  if (!ns) return true;
  if (!metadataOf(ns)['deletionTimestamp']) return false;
  for (const { type, object } of state.contentsOf(name)) {
    if (metadataOf(object)['deletionTimestamp']) continue;
    deleteObject(state, { type, namespace: name, name: metadataOf(object)['name'] as string }, {});
  }
  if (state.contentsOf(name).length > 0) return false;
  const meta = metadataOf(ns);
  const finalizers = Array.isArray(meta['finalizers']) ? meta['finalizers'] : [];
  if (finalizers.length > 0) {
    const spec = { ...(isJsonObject(ns['spec']) ? ns['spec'] : {}), finalizers: [] };
    state.commit(namespaces, 'MODIFIED', { ...ns, spec }, ns);
    return false;
  }
  state.commit(namespaces, 'DELETED', ns, ns);
  return true;
}
