import { compareTyped } from '../fields/typed-compare.util.js';
import { FieldSet } from '../fields/field-set.js';
import type { JsonObject } from '../fields/json-value.util.js';
import { mergeTyped, removeTyped } from '../fields/typed-merge.util.js';
import { fieldSetOf } from '../fields/field-set-of.util.js';
import { applyConflictError, type FieldConflict } from './apply-conflict.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  managerIdentity,
  type ManagerFields,
} from './managed-fields.js';
import { ownedView, withoutNulls, withView, type WriteScope } from './owned-view.util.js';

/** Inputs of one server-side apply. `live` is absent when the apply creates the object. */
export interface ApplyInput extends WriteScope {
  readonly live?: JsonObject;
  readonly config: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly now: string;
}

/** Inputs of one Update-operation write (create, PUT, merge/JSON/strategic patch). */
export interface UpdateInput extends WriteScope {
  readonly live?: JsonObject;
  readonly next: JsonObject;
  readonly manager: string;
  readonly now: string;
}

function apiVersionOf(obj: JsonObject | undefined, fallback: string): string {
  return typeof obj?.['apiVersion'] === 'string' ? obj['apiVersion'] : fallback;
}

function metaOf(obj: JsonObject | undefined): JsonObject {
  const m = obj?.['metadata'];
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? m : {};
}

function withManagedFields(obj: JsonObject, managers: Map<string, ManagerFields>): JsonObject {
  const encoded = encodeManagedFields(managers);
  const meta: JsonObject = { ...metaOf(obj) };
  if (encoded.length > 0) meta['managedFields'] = encoded as unknown as JsonObject[];
  else delete meta['managedFields'];
  return { ...obj, metadata: meta };
}

/**
 * Server-side apply (structured-merge-diff's `Updater.Apply`): merge the configuration into the
 * live object, record the configuration's field set for the applier, prune fields the applier
 * stopped applying that nobody else owns, and fail with a 409 when the result changes a field
 * another manager owns, unless forced (then ownership moves to the applier).
 * Returns the full object, managedFields included; the caller sets system metadata.
 */
export function applyConfiguration(input: ApplyInput): JsonObject {
  const schema = input.type.schema;
  const config = ownedView(withoutNulls(input.config), input);
  const liveView = ownedView(input.live, input);
  const managers = decodeManagedFields(metaOf(input.live)['managedFields']);
  const applierId = managerIdentity({ manager: input.manager, operation: 'Apply', subresource: input.subresource });
  const lastSet = managers.get(applierId)?.set;
  const newSet = fieldSetOf(config, schema);
  managers.set(applierId, {
    manager: input.manager,
    operation: 'Apply',
    apiVersion: apiVersionOf(input.config, apiVersionOf(input.live, '')),
    time: input.now,
    subresource: input.subresource,
    set: newSet,
  });

  let merged = mergeTyped(liveView, config, schema) as JsonObject;
  if (lastSet) merged = removeTyped(merged, prunable(lastSet.difference(newSet), managers), schema) as JsonObject;

  const comparison = compareTyped(liveView, merged, schema);
  const changed = comparison.modified.union(comparison.added);
  const conflicts: FieldConflict[] = [];
  const lost = new Map<string, FieldSet>();
  for (const [id, other] of managers) {
    if (id === applierId) continue;
    const overlap = other.set.intersection(changed);
    if (overlap.isEmpty()) continue;
    lost.set(id, overlap);
    for (const path of overlap.paths()) conflicts.push({ manager: other, path });
  }
  if (conflicts.length > 0 && !input.force) throw applyConflictError(conflicts);
  for (const [id, m] of managers) {
    const taken = lost.get(id);
    m.set = (taken ? m.set.difference(taken) : m.set).difference(comparison.removed);
    if (m.set.isEmpty() && id !== applierId) managers.delete(id);
  }
  const base = input.live ?? { apiVersion: input.config['apiVersion'] ?? null, kind: input.config['kind'] ?? null, metadata: metaOf(input.config) };
  return withManagedFields(withView(base, merged, input), managers);
}

/** Paths the applier dropped that no manager (the applier's new set included) still owns at or below. */
function prunable(dropped: FieldSet, managers: Map<string, ManagerFields>): FieldSet {
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  return FieldSet.fromPaths(dropped.paths().filter((p) => !owned.hasPrefix(p)));
}

/**
 * An Update operation (`Updater.Update`): fields the write added or changed move to this manager
 * (taken from whoever owned them — updates never conflict), removed fields leave every manager.
 */
export function recordUpdate(input: UpdateInput): JsonObject {
  const schema = input.type.schema;
  const liveView = ownedView(input.live, input);
  const nextView = ownedView(input.next, input);
  const managers = decodeManagedFields(metaOf(input.live)['managedFields']);
  const apiVersion = apiVersionOf(input.next, apiVersionOf(input.live, ''));
  const comparison = compareTyped(liveView, nextView, schema);
  const changed = comparison.modified.union(comparison.added);
  const id = managerIdentity({ manager: input.manager, operation: 'Update', apiVersion, subresource: input.subresource });
  for (const [otherId, m] of managers) {
    if (otherId === id) continue;
    m.set = m.set.difference(changed).difference(comparison.removed);
    if (m.set.isEmpty()) managers.delete(otherId);
  }
  const mine = managers.get(id);
  const set = (mine?.set ?? new FieldSet()).union(changed).difference(comparison.removed);
  const touched = !changed.isEmpty() || !comparison.removed.isEmpty();
  if (set.isEmpty()) managers.delete(id);
  else managers.set(id, { manager: input.manager, operation: 'Update', apiVersion, subresource: input.subresource, time: touched ? input.now : mine?.time ?? input.now, set });
  return withManagedFields(input.next, managers);
}
