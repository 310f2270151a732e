import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import { hasSubresource, type ResourceType } from '../schema/resource-type.js';

/** Metadata the server owns: never part of any manager's field set, never taken from a request. */
export const SYSTEM_METADATA = [
  'name',
  'namespace',
  'generateName',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
] as const;

/** Which part of an object an operation may change: the main resource, or one subresource. */
export interface WriteScope {
  readonly type: ResourceType;
  readonly subresource?: string;
}

/**
 * The part of an object whose fields managers own for this write scope: no apiVersion/kind, no
 * system metadata; without status on the main resource when status is a subresource (upstream
 * resets it there), and only status on the status subresource.
 */
export function ownedView(obj: JsonObject | undefined, scope: WriteScope): JsonObject {
  if (!obj) return {};
  if (scope.subresource === 'status') return obj['status'] === undefined ? {} : { status: obj['status'] };
  const view: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'status' && hasSubresource(scope.type, 'status')) continue;
    if (key === 'metadata' && isJsonObject(value)) {
      const meta: JsonObject = { ...value };
      for (const field of SYSTEM_METADATA) delete meta[field];
      if (Object.keys(meta).length > 0) view['metadata'] = meta;
      continue;
    }
    view[key] = value;
  }
  return view;
}

/** Rebuilds a full object from an owned view, taking everything outside the scope from `base`. */
export function withView(base: JsonObject, view: JsonObject, scope: WriteScope): JsonObject {
  if (scope.subresource === 'status') {
    const out: JsonObject = { ...base };
    if (view['status'] === undefined) delete out['status'];
    else out['status'] = view['status'];
    return out;
  }
  const baseMeta = isJsonObject(base['metadata']) ? base['metadata'] : {};
  const system: JsonObject = {};
  for (const field of SYSTEM_METADATA) if (baseMeta[field] !== undefined) system[field] = baseMeta[field];
  const viewMeta = isJsonObject(view['metadata']) ? view['metadata'] : {};
  const out: JsonObject = { apiVersion: base['apiVersion'] ?? null, kind: base['kind'] ?? null };
  out['metadata'] = { ...pick(system, ['name', 'generateName', 'namespace']), ...viewMeta, ...system };
  for (const [key, value] of Object.entries(view)) if (key !== 'metadata') out[key] = value;
  if (hasSubresource(scope.type, 'status') && base['status'] !== undefined) out['status'] = base['status'];
  return out;
}

function pick(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** Drops nulls from an applied configuration: upstream treats them as "not specified" for ownership and value. */
export function withoutNulls(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = isJsonObject(v) ? withoutNulls(v) : Array.isArray(v) ? v.map((i) => (isJsonObject(i) ? withoutNulls(i) : i)) : v;
  }
  return out;
}
