import { applyConfiguration, recordUpdate } from '../apply/apply-engine.js';
import { applyJsonPatch } from '../apply/json-patch.js';
import { applyMergePatch } from '../apply/merge-patch.js';
import { applyStrategicMergePatch } from '../apply/strategic-merge-patch.js';
import { deepEqual, isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import { badRequest, conflict, invalid, notFound } from './api-status.error.js';
import {
  managerName,
  metadataOf,
  targetOf,
  type ApplyOptions,
  type ObjectRef,
  type PatchType,
  type WriteOptions,
  type WriteResult,
} from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { createObject } from './create-verb.js';
import { validateImmutableFields } from './immutable-fields.validation.js';
import { unknownFields } from './object-meta.validation.js';
import { checkValueTypes } from './value-type.validation.js';
import {
  carrySystemMetadata,
  checkNamespaceWritable,
  checkTypeMeta,
  defaulted,
  isNoOp,
  unknownFieldWarnings,
  validateForStorage,
} from './write-pipeline.js';

/** Takes only what the addressed scope may change: status for `/status`, everything but status otherwise. */
function scoped(ref: ObjectRef, live: JsonObject, next: JsonObject): JsonObject {
  if (ref.subresource === 'status') {
    const out = { ...live };
    if (next['status'] === undefined) delete out['status'];
    else out['status'] = next['status'];
    return out;
  }
  if (ref.type.subresources.some((s) => s.name === 'status')) {
    const out = { ...next };
    if (live['status'] === undefined) delete out['status'];
    else out['status'] = live['status'];
    return out;
  }
  return next;
}

/**
 * Stores the result of a write to an existing object: keeps system metadata, bumps generation on
 * spec changes, completes a pending deletion when the last finalizer goes, and skips no-op
 * writes entirely (no new resourceVersion), as the real server does.
 */
function commitExisting(state: ClusterState, ref: ObjectRef, live: JsonObject, next: JsonObject, options: WriteOptions, warnings: string[]): WriteResult {
  const carried = carrySystemMetadata(ref.type, live, next);
  // A dry-run answer carries the live resourceVersion: nothing was written, so nothing moved.
  const candidate = validateForStorage(ref.type, { ...carried, metadata: { ...metadataOf(carried), resourceVersion: metadataOf(live)['resourceVersion'] ?? null } });
  validateImmutableFields(ref.type, live, candidate);
  if (isNoOp(live, candidate)) return { object: live, created: false, warnings };
  const meta = metadataOf(candidate);
  const finalizers = Array.isArray(meta['finalizers']) ? meta['finalizers'] : [];
  if (meta['deletionTimestamp'] && finalizers.length === 0 && !isNamespaceWaiting(ref, candidate)) {
    const stored = options.dryRun ? candidate : state.commit(ref.type, 'DELETED', candidate, live);
    return { object: stored, created: false, warnings };
  }
  const stored = options.dryRun ? candidate : state.commit(ref.type, 'MODIFIED', candidate, live);
  return { object: stored, created: false, warnings };
}

function isNamespaceWaiting(ref: ObjectRef, obj: JsonObject): boolean {
  if (ref.type.group !== '' || ref.type.plural !== 'namespaces') return false;
  const spec = obj['spec'];
  return isJsonObject(spec) && Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0;
}

/**
 * The ownership an Update starts from, as upstream decides it: the live managedFields, unless the
 * request changed them — then the request's (a client may rewrite ownership), and `[{}]` resets.
 */
function ownershipBase(live: JsonObject, requested: JsonObject): JsonObject {
  const incoming = metadataOf(requested)['managedFields'];
  const current = metadataOf(live)['managedFields'];
  if (!Array.isArray(incoming) || deepEqual(incoming, current ?? [])) return live;
  const reset = incoming.length === 1 && isJsonObject(incoming[0]) && Object.keys(incoming[0]).length === 0;
  return { ...live, metadata: { ...metadataOf(live), managedFields: reset ? [] : incoming } };
}

/** PUT: replaces the object (or its status); a stale metadata.resourceVersion is a 409 Conflict. */
export function updateObject(state: ClusterState, ref: ObjectRef, body: JsonValue, options: WriteOptions): WriteResult {
  if (!isJsonObject(body)) throw badRequest('the body of the request was not a JSON object');
  checkTypeMeta(ref.type, body, false);
  checkValueTypes(ref.type, body, 'write');
  const live = state.get(ref.type, ref.namespace, ref.name ?? '');
  if (!live) throw notFound(targetOf(ref));
  const meta = metadataOf(body);
  if (meta['name'] !== undefined && meta['name'] !== ref.name) {
    throw badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${ref.name})`);
  }
  const rv = meta['resourceVersion'];
  if (rv !== undefined && rv !== '' && rv !== metadataOf(live)['resourceVersion']) {
    throw conflict(targetOf(ref), 'the object has been modified; please apply your changes to the latest version and try again');
  }
  const warnings = unknownFieldWarnings(ref.type, body, options);
  const next = defaulted(state, ref.type, scoped(ref, live, { ...body, metadata: { ...meta, managedFields: metadataOf(live)['managedFields'] ?? null } }), live);
  const base = ownershipBase(live, body);
  const tracked = recordUpdate({ type: ref.type, subresource: ref.subresource, live: base, next, manager: managerName(options), now: state.now() });
  return commitExisting(state, ref, live, tracked, options, warnings);
}

/** PATCH in any of its four flavours; server-side apply creates the object when it does not exist. */
export function patchObject(state: ClusterState, ref: ObjectRef, patchType: PatchType, body: JsonValue, options: ApplyOptions): WriteResult {
  const live = state.get(ref.type, ref.namespace, ref.name ?? '');
  if (patchType === 'apply') return applyObject(state, ref, live, body, options);
  if (!live) throw notFound(targetOf(ref));
  if (patchType !== 'json' && !isJsonObject(body)) throw badRequest('the body of the request was not a JSON object');
  const patched =
    patchType === 'merge'
      ? applyMergePatch(live, body)
      : patchType === 'json'
        ? applyJsonPatch(live, body)
        : applyStrategicMergePatch(live, body, ref.type.schema);
  if (!isJsonObject(patched)) throw badRequest('the patched object is not a JSON object');
  checkTypeMeta(ref.type, patched, false);
  checkValueTypes(ref.type, patched, 'write');
  const patchedMeta = metadataOf(patched);
  if (patchedMeta['name'] !== ref.name) throw invalid(ref.type.kind, ref.type.group, ref.name ?? '', [{ type: 'FieldValueInvalid', message: 'field is immutable', field: 'metadata.name' }]);
  const rv = patchedMeta['resourceVersion'];
  if (rv !== undefined && rv !== metadataOf(live)['resourceVersion']) {
    throw conflict(targetOf(ref), 'the object has been modified; please apply your changes to the latest version and try again');
  }
  const warnings = unknownFieldWarnings(ref.type, patched, options);
  const next = defaulted(state, ref.type, scoped(ref, live, { ...patched, metadata: { ...patchedMeta, managedFields: metadataOf(live)['managedFields'] ?? null } }), live);
  const base = ownershipBase(live, patched);
  const tracked = recordUpdate({ type: ref.type, subresource: ref.subresource, live: base, next, manager: managerName(options), now: state.now() });
  return commitExisting(state, ref, live, tracked, options, warnings);
}

function applyObject(state: ClusterState, ref: ObjectRef, live: JsonObject | undefined, body: JsonValue, options: ApplyOptions): WriteResult {
  if (!options.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml, requires fieldManager');
  if (!isJsonObject(body)) throw badRequest('error decoding YAML: the apply configuration is not an object');
  checkTypeMeta(ref.type, body, true);
  const meta = metadataOf(body);
  if (meta['name'] !== undefined && meta['name'] !== ref.name) {
    throw badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${ref.name})`);
  }
  if (ref.type.namespaced && meta['namespace'] !== undefined && meta['namespace'] !== ref.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (meta['managedFields'] !== undefined && meta['managedFields'] !== null) throw badRequest('metadata.managedFields must be nil');
  const rv = meta['resourceVersion'];
  if (live && typeof rv === 'string' && rv !== '' && rv !== metadataOf(live)['resourceVersion']) {
    throw conflict(targetOf(ref), 'the object has been modified; please apply your changes to the latest version and try again');
  }
  checkValueTypes(ref.type, body, 'apply', ref.namespace);
  // Typed apply rejects undeclared fields whatever fieldValidation says (upstream fails to build the typed object).
  if (!ref.type.custom || ref.type.schema.kind === 'struct') {
    const unknown = unknownFields(body, ref.type.schema);
    if (unknown.length > 0 && options.fieldValidation !== 'Ignore') {
      throw badRequest(`failed to create typed patch object (${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}; ${String(body['apiVersion'])}, Kind=${ref.type.kind}): ${unknown[0]}: field not declared in schema`);
    }
  }
  const now = state.now();
  if (!live) {
    if (ref.subresource) throw notFound(targetOf(ref));
    checkNamespaceWritable(state, ref, ref.name ?? '');
    const config = { ...body, metadata: { ...meta, name: ref.name ?? '' } };
    const applied = applyConfiguration({ type: ref.type, config, manager: options.fieldManager, force: options.force ?? false, now });
    const created = createObject(state, ref, withoutManaged(applied), { ...options, dryRun: true });
    const createdMeta = { ...metadataOf(created.object) };
    const appliedManaged = metadataOf(applied)['managedFields'];
    if (appliedManaged === undefined) delete createdMeta['managedFields'];
    else createdMeta['managedFields'] = appliedManaged;
    const object: JsonObject = { ...created.object, metadata: createdMeta };
    const stored = options.dryRun ? object : state.commit(ref.type, 'ADDED', object);
    return { object: stored, created: true, warnings: [] };
  }
  const applied = applyConfiguration({
    type: ref.type,
    subresource: ref.subresource,
    live,
    config: body,
    manager: options.fieldManager,
    force: options.force ?? false,
    now,
  });
  return commitExisting(state, ref, live, defaulted(state, ref.type, scoped(ref, live, applied), live), options, []);
}

function withoutManaged(obj: JsonObject): JsonObject {
  const meta = { ...metadataOf(obj) };
  delete meta['managedFields'];
  return { ...obj, metadata: meta };
}
