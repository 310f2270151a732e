export { applyConfiguration, recordUpdate, type ApplyInput, type UpdateInput } from './apply/apply-engine.js';
export { applyConflictError, conflictMessage, type FieldConflict } from './apply/apply-conflict.js';
export { applyJsonPatch } from './apply/json-patch.js';
export { decodeManagedFields, encodeManagedFields, type ManagedFieldsEntry } from './apply/managed-fields.js';
export { applyMergePatch } from './apply/merge-patch.js';
export { applyStrategicMergePatch } from './apply/strategic-merge-patch.js';
export { formatPath, type FieldPath, type PathElement } from './fields/field-path.js';
export { FieldSet, type FieldsV1 } from './fields/field-set.js';
export type { JsonObject, JsonValue } from './fields/json-value.util.js';
export { loadOpenApiV2, type GroupVersionKind, type OpenApiV2Document } from './schema/openapi-document.loader.js';
export { builtinResourceTypes, ResourceCatalog } from './schema/resource-catalog.js';
export { apiVersionOf, type ResourceType, type SubresourceType } from './schema/resource-type.js';
export type { SchemaNode } from './schema/schema-node.js';
export type {
  ApplyOptions,
  DeleteOptions,
  DeleteResult,
  ListOptions,
  ObjectRef,
  PatchType,
  WatchOptions,
  WriteOptions,
  WriteResult,
} from './store/api-request.js';
export { KubeApiError, type KubeStatus, type StatusCause } from './store/api-status.error.js';
export { labelSelectorFromObject, matchesLabels, parseLabelSelector, type LabelSelector } from './store/label-selector.js';
export { SimulatedCluster, type SimulatedClusterOptions } from './store/simulated-cluster.js';
export type { WatchEvent, WatchHandle } from './store/watch-hub.js';
export { KubeSimServer, type KubeSimServerOptions } from './server/kube-sim-server.js';
export { tlsMaterial, type TlsMaterial } from './server/tls-authority.js';
export { InMemoryClusterClient } from './client/in-memory-cluster-client.js';
export { FaultInjector, type FaultRule } from './server/fault-injector.js';
export { FAIL_ANNOTATION, NEVER_READY_ANNOTATION, type WorkloadBehaviour } from './store/workload-status.controller.js';
