import type { ResourceReport } from '@flotilla/agent-core';

// The reconciler contract belongs to the agent core; the connection hands bundles to any
// implementation of it (BundleReconciler in the agent, SimpleReconciler in light simulations).
export type { BundleReport, DesiredBundle, FieldDrift, Health, Phase, Reconciler, RemovedBundle, ResourceReport } from '@flotilla/agent-core';

/** What the last apply did to one object (the flux ssa ChangeSet vocabulary). */
export type Change = ResourceReport['change'];
