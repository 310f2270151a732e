export { beginRollback, decideRollout, recordAdmission, recordRollback, startRollout, takesPart } from './decide-rollout.js';
export {
  TERMINAL_PHASES,
  type ClusterPhase,
  type ClusterProgress,
  type ClusterView,
  type ReportedStatus,
  type RolloutAction,
  type RolloutDecision,
  type RolloutPhase,
  type RolloutPlan,
  type RolloutState,
} from './rollout.types.js';
export { concurrencyOf, failureBudgetOf, waveOf } from './wave-arithmetic.js';
