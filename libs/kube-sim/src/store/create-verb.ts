import { randomInt } from 'node:crypto';
import { recordUpdate } from '../apply/apply-engine.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import { alreadyExists, badRequest } from './api-status.error.js';
import { managerName, metadataOf, targetOf, type ObjectRef, type WriteOptions, type WriteResult } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { checkValueTypes } from './value-type.validation.js';
import {
  checkNamespaceWritable,
  checkTypeMeta,
  defaulted,
  initialiseMetadata,
  unknownFieldWarnings,
  validateForStorage,
} from './write-pipeline.js';

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return `${prefix}${suffix}`;
}

/** Per-kind defaults the real registry strategies set on create (namespace finalizer and phase). */
function kindDefaults(ref: ObjectRef, obj: JsonObject): JsonObject {
  if (ref.type.group !== '' || ref.type.plural !== 'namespaces') return obj;
  const meta = metadataOf(obj);
  const labels = isJsonObject(meta['labels']) ? meta['labels'] : {};
  return {
    ...obj,
    metadata: { ...meta, labels: { ...labels, 'kubernetes.io/metadata.name': meta['name'] as string } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** POST: creates an object (Update-operation ownership for its manager), or validates it only with dryRun. */
export function createObject(state: ClusterState, ref: ObjectRef, body: JsonValue, options: WriteOptions): WriteResult {
  if (!isJsonObject(body)) throw badRequest('the body of the request was not a JSON object');
  checkTypeMeta(ref.type, body, false);
  checkValueTypes(ref.type, body, 'write');
  const meta = metadataOf(body);
  if (ref.type.namespaced && meta['namespace'] !== undefined && meta['namespace'] !== ref.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  let name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (!name && typeof meta['generateName'] === 'string' && meta['generateName']) name = generatedName(meta['generateName']);
  const warnings = unknownFieldWarnings(ref.type, body, options);
  let obj = initialiseMetadata(state, ref, { ...body, metadata: { ...meta, ...(name ? { name } : {}) } });
  obj = defaulted(state, ref.type, kindDefaults(ref, obj));
  validateForStorage(ref.type, obj);
  if (state.get(ref.type, ref.namespace, name)) throw alreadyExists(targetOf(ref, name));
  checkNamespaceWritable(state, ref, name);
  obj = recordUpdate({ type: ref.type, next: obj, manager: managerName(options), now: state.now() });
  const stored = options.dryRun ? obj : state.commit(ref.type, 'ADDED', obj);
  return { object: stored, created: true, warnings };
}
