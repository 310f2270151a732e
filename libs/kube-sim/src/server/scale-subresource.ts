import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import { metadataOf } from '../store/api-request.js';

/** The autoscaling/v1 Scale view of a workload (spec.replicas, status.replicas and the selector as a string). */
export function scaleOf(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const status = isJsonObject(obj['status']) ? obj['status'] : {};
  const selector = isJsonObject(spec['selector']) && isJsonObject(spec['selector']['matchLabels']) ? spec['selector']['matchLabels'] : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta['name'] ?? null,
      namespace: meta['namespace'] ?? null,
      uid: meta['uid'] ?? null,
      resourceVersion: meta['resourceVersion'] ?? null,
      creationTimestamp: meta['creationTimestamp'] ?? null,
    },
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 1 },
    status: {
      replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0,
      selector: Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** The parent object with the replicas a Scale asks for (everything else untouched). */
export function withScale(obj: JsonObject, scale: JsonObject): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const wanted = isJsonObject(scale['spec']) ? scale['spec']['replicas'] : undefined;
  const meta = metadataOf(scale);
  return {
    ...obj,
    metadata: { ...metadataOf(obj), resourceVersion: meta['resourceVersion'] ?? metadataOf(obj)['resourceVersion'] ?? null },
    spec: { ...spec, replicas: typeof wanted === 'number' ? wanted : (spec['replicas'] ?? 1) },
  };
}
