import { deepEqual, isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { invalid, type StatusCause } from './api-status.error.js';
import { metadataOf } from './api-request.js';

/** Fields upstream validation refuses to change after creation, per resource (`group/plural`). */
const IMMUTABLE: Readonly<Record<string, readonly string[]>> = {
  'apps/deployments': ['spec.selector'],
  'apps/replicasets': ['spec.selector'],
  'apps/statefulsets': ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates'],
  'apps/daemonsets': ['spec.selector'],
  'batch/jobs': ['spec.selector', 'spec.template', 'spec.completionMode'],
  '/services': ['spec.clusterIP'],
  '/persistentvolumeclaims': ['spec.storageClassName', 'spec.volumeMode', 'spec.accessModes'],
  'rbac.authorization.k8s.io/rolebindings': ['roleRef'],
  'rbac.authorization.k8s.io/clusterrolebindings': ['roleRef'],
  'apiextensions.k8s.io/customresourcedefinitions': ['spec.scope'],
};

function at(obj: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = obj;
  for (const part of path.split('.')) node = isJsonObject(node) ? node[part] : undefined;
  return node;
}

/**
 * Rejects an update that changes an immutable field with upstream's 422 (`field is immutable`).
 * Secrets and ConfigMaps marked `immutable: true` refuse any change to their data.
 */
export function validateImmutableFields(type: ResourceType, live: JsonObject, next: JsonObject): void {
  const causes: StatusCause[] = [];
  for (const path of IMMUTABLE[`${type.group}/${type.plural}`] ?? []) {
    const before = at(live, path);
    if (before !== undefined && !deepEqual(before, at(next, path))) {
      causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(at(next, path) ?? null)}: field is immutable`, field: path });
    }
  }
  if (type.group === '' && (type.plural === 'secrets' || type.plural === 'configmaps') && live['immutable'] === true) {
    for (const field of ['data', 'binaryData', 'stringData']) {
      if (!deepEqual(live[field], next[field])) causes.push({ type: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field });
    }
  }
  if (causes.length > 0) throw invalid(type.kind, type.group, String(metadataOf(live)['name']), causes);
}
