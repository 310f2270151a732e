export { BundleReconciler } from './bundle-reconciler.js';
export { healthOf, combinedHealth, type ObjectHealth } from './health-rules.util.js';
export { declaredDrift, REDACTED } from './field-drift.util.js';
export { InventoryStore, INVENTORY_LABEL, InventoryUnreadableError } from './inventory.store.js';
export type { ReconcileEvent, ReconcileKind, ReconcileObserver } from './reconcile.observer.js';
export { BUNDLE_ANNOTATION_PRUNE, type ObjectRef } from './object-ref.util.js';
export {
  DEFAULT_RECONCILER_OPTIONS,
  type BundleReconcilerOptions,
  type BundleReport,
  type DesiredBundle,
  type FieldDrift,
  type Health,
  type Phase,
  type Reconciler,
  type RemovedBundle,
  type ResourceReport,
} from './reconciler.types.js';
