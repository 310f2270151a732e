import { randomUUID } from 'node:crypto';
import { deepEqual, isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf, hasSubresource, type ResourceType } from '../schema/resource-type.js';
import { badRequest, forbidden, notFound } from './api-status.error.js';
import { metadataOf, targetOf, type ObjectRef, type WriteOptions } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { withBuiltinDefaults } from './builtin-defaults.util.js';
import { unknownFields, validateObject } from './object-meta.validation.js';

/** Whether a resource tracks metadata.generation: objects with a spec, and every custom resource. */
export function tracksGeneration(type: ResourceType): boolean {
  return type.custom || (type.schema.kind === 'struct' && type.schema.field('spec') !== undefined);
}

/** The part of an object whose change bumps generation: everything but metadata and (subresource) status. */
function generationView(type: ResourceType, obj: JsonObject): JsonObject {
  const view: JsonObject = { ...obj };
  delete view['metadata'];
  delete view['apiVersion'];
  delete view['kind'];
  if (hasSubresource(type, 'status') || !type.custom) delete view['status'];
  return view;
}

/** The namespace a namespaced write targets must exist and not be terminating (upstream's NamespaceLifecycle admission). */
export function checkNamespaceWritable(state: ClusterState, ref: ObjectRef, name: string): void {
  if (!ref.type.namespaced) return;
  const namespaces = state.catalog.get('', 'v1', 'namespaces')!;
  const ns = state.get(namespaces, undefined, ref.namespace ?? '');
  if (!ns) throw notFound({ group: '', resource: 'namespaces', name: ref.namespace ?? '' });
  if (metadataOf(ns)['deletionTimestamp']) {
    throw forbidden(targetOf(ref, name), `unable to create new content in namespace ${ref.namespace} because it is being terminated`);
  }
}

/** Checks apiVersion/kind of a request body against the addressed resource (400 on mismatch, as upstream). */
export function checkTypeMeta(type: ResourceType, body: JsonObject, required: boolean): void {
  const expected = apiVersionOf(type);
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (required && (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind)) {
    throw badRequest(`invalid object type: ${String(apiVersion ?? '')}, Kind=${String(kind ?? '')}`);
  }
  if (apiVersion !== undefined && apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (kind !== undefined && kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${type.kind})`);
  }
}

/**
 * fieldValidation as the real server applies it: Strict rejects unknown fields with 400,
 * Warn (the default) returns them as warnings, Ignore drops nothing and says nothing.
 */
export function unknownFieldWarnings(type: ResourceType, body: JsonObject, options: WriteOptions): string[] {
  if (options.fieldValidation === 'Ignore' || (type.custom && type.schema.kind !== 'struct')) return [];
  const unknown = unknownFields(body, type.schema).map((p) => p.slice(1));
  if (unknown.length === 0) return [];
  if (options.fieldValidation === 'Strict') {
    const unknownList = unknown.map((p) => `unknown field "${p}"`).join(', ');
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknownList}`);
  }
  return unknown.map((p) => `unknown field "${p}"`);
}

/** Fills system metadata of a new object: uid, creationTimestamp, generation, namespace. */
export function initialiseMetadata(state: ClusterState, ref: ObjectRef, obj: JsonObject): JsonObject {
  const meta: JsonObject = { ...metadataOf(obj) };
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink']) {
    delete meta[field];
  }
  if (ref.type.namespaced) meta['namespace'] = ref.namespace ?? '';
  else delete meta['namespace'];
  meta['uid'] = randomUUID();
  meta['creationTimestamp'] = state.now();
  if (tracksGeneration(ref.type)) meta['generation'] = 1;
  const out: JsonObject = { apiVersion: apiVersionOf(ref.type), kind: ref.type.kind, metadata: meta };
  for (const [k, v] of Object.entries(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') out[k] = v;
  if (hasSubresource(ref.type, 'status') && !ref.type.custom) delete out['status'];
  return out;
}

/** Carries system metadata from the live object and bumps generation when the spec changed. */
export function carrySystemMetadata(type: ResourceType, live: JsonObject, next: JsonObject): JsonObject {
  const liveMeta = metadataOf(live);
  const meta: JsonObject = { ...metadataOf(next) };
  for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
    if (liveMeta[field] === undefined) delete meta[field];
    else meta[field] = liveMeta[field];
  }
  delete meta['resourceVersion'];
  if (typeof liveMeta['generation'] === 'number' && !deepEqual(generationView(type, live), generationView(type, next))) {
    meta['generation'] = liveMeta['generation'] + 1;
  }
  return { ...next, apiVersion: apiVersionOf(type), kind: type.kind, metadata: meta };
}

/** True when a write would change nothing but bookkeeping: upstream then skips the write (no new resourceVersion). */
export function isNoOp(live: JsonObject, next: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const meta = { ...metadataOf(o) };
    delete meta['resourceVersion'];
    const managed = Array.isArray(meta['managedFields']) ? meta['managedFields'] : [];
    meta['managedFields'] = managed.map((m) => (isJsonObject(m) ? { ...m, time: null } : m));
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(live), strip(next));
}

/** Validates and returns the object to store; the caller commits it (or not, for dry-run). */
export function validateForStorage(type: ResourceType, obj: JsonObject): JsonObject {
  validateObject(type, obj);
  return obj;
}

/** Built-in defaulting for a write; a Service keeps the ClusterIP it already has. */
export function defaulted(state: ClusterState, type: ResourceType, obj: JsonObject, live?: JsonObject): JsonObject {
  const liveSpec = live?.['spec'];
  const liveIP = isJsonObject(liveSpec) && typeof liveSpec['clusterIP'] === 'string' ? liveSpec['clusterIP'] : undefined;
  return withBuiltinDefaults(type, obj, () => liveIP ?? state.allocateClusterIP());
}
