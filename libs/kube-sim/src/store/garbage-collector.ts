import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { metadataOf } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import type { StoreEvent } from './watch-hub.js';

/** Finalizers the garbage collector handles for foreground and orphan deletion. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The minimal writes the collector needs; the cluster passes its own verbs so every side effect stays consistent. */
export interface CollectorActions {
  deleteObject(type: ResourceType, object: JsonObject): void;
  /** Merge-patches the object's metadata (`null` removes a field). */
  patchMetadata(type: ResourceType, object: JsonObject, metadata: JsonObject): void;
}

function ownerUids(object: JsonObject): string[] {
  const refs = metadataOf(object)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isJsonObject).map((r) => String(r['uid'])) : [];
}

function finalizers(object: JsonObject): string[] {
  const list = metadataOf(object)['finalizers'];
  return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
}

/** Objects whose ownerReferences name `uid`; namespaced owners can only own objects in their namespace. */
export function dependentsOf(state: ClusterState, uid: string, namespace: string | undefined): { type: ResourceType; object: JsonObject }[] {
  return state.allObjects(namespace).filter(({ object }) => ownerUids(object).includes(uid));
}

/**
 * The garbage collector's reaction to one committed write, as upstream's: when an owner is gone,
 * its dependents are deleted (background propagation); an owner held by `foregroundDeletion`
 * loses that finalizer once its dependents are gone; `orphan` strips the owner reference from its
 * dependents and then releases the owner.
 */
export function collectGarbage(state: ClusterState, type: ResourceType, event: StoreEvent, actions: CollectorActions): void {
  const meta = metadataOf(event.object);
  const uid = String(meta['uid']);
  const namespace = type.namespaced ? (meta['namespace'] as string) : undefined;
  if (event.type === 'DELETED') {
    for (const dep of dependentsOf(state, uid, namespace)) if (!metadataOf(dep.object)['deletionTimestamp']) actions.deleteObject(dep.type, dep.object);
    // A dependent leaving may release an owner waiting in foreground deletion.
    for (const owner of ownerUids(event.object)) releaseForeground(state, owner, actions);
    return;
  }
  if (!meta['deletionTimestamp']) return;
  const held = finalizers(event.object);
  if (held.includes(ORPHAN_FINALIZER)) {
    for (const dep of dependentsOf(state, uid, namespace)) {
      const refs = (metadataOf(dep.object)['ownerReferences'] as JsonObject[]).filter((r) => r['uid'] !== uid);
      actions.patchMetadata(dep.type, dep.object, { ownerReferences: refs.length > 0 ? refs : null });
    }
    actions.patchMetadata(type, event.object, { finalizers: held.filter((f) => f !== ORPHAN_FINALIZER) });
    return;
  }
  if (held.includes(FOREGROUND_FINALIZER)) {
    for (const dep of dependentsOf(state, uid, namespace)) if (!metadataOf(dep.object)['deletionTimestamp']) actions.deleteObject(dep.type, dep.object);
    releaseForeground(state, uid, actions);
  }
}

function releaseForeground(state: ClusterState, uid: string, actions: CollectorActions): void {
  const owner = state.allObjects().find(({ object }) => metadataOf(object)['uid'] === uid);
  if (!owner || !finalizers(owner.object).includes(FOREGROUND_FINALIZER)) return;
  const meta = metadataOf(owner.object);
  const namespace = owner.type.namespaced ? (meta['namespace'] as string) : undefined;
  if (dependentsOf(state, uid, namespace).length > 0) return;
  actions.patchMetadata(owner.type, owner.object, { finalizers: finalizers(owner.object).filter((f) => f !== FOREGROUND_FINALIZER) });
}
