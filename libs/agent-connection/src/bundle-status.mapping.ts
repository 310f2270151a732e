import { Change as ProtoChange, Health as ProtoHealth, Phase as ProtoPhase, type BundleStatus } from '@flotilla/protocol';
import type { BundleReport, Change, Health, Phase } from './reconciler.js';

const PHASES: Record<Phase, ProtoPhase> = {
  Waiting: ProtoPhase.PHASE_WAITING,
  Applying: ProtoPhase.PHASE_APPLYING,
  Applied: ProtoPhase.PHASE_APPLIED,
  Failed: ProtoPhase.PHASE_FAILED,
  Removing: ProtoPhase.PHASE_REMOVING,
  Removed: ProtoPhase.PHASE_REMOVED,
  Suspended: ProtoPhase.PHASE_SUSPENDED,
};

const HEALTHS: Record<Health, ProtoHealth> = {
  Healthy: ProtoHealth.HEALTH_HEALTHY,
  Progressing: ProtoHealth.HEALTH_PROGRESSING,
  Degraded: ProtoHealth.HEALTH_DEGRADED,
  Unknown: ProtoHealth.HEALTH_UNKNOWN,
};

const CHANGES: Record<Change, ProtoChange> = {
  created: ProtoChange.CHANGE_CREATED,
  configured: ProtoChange.CHANGE_CONFIGURED,
  unchanged: ProtoChange.CHANGE_UNCHANGED,
  deleted: ProtoChange.CHANGE_DELETED,
  skipped: ProtoChange.CHANGE_SKIPPED,
};

/** The wire form of a reconciler's report; every Phase, Health and Change maps to exactly one enum value. */
export function toBundleStatus(report: BundleReport): BundleStatus {
  return {
    bundle: report.bundle,
    generation: report.generation,
    phase: PHASES[report.phase],
    health: HEALTHS[report.health],
    terminal: report.terminal,
    drift: { driftedFields: report.drift.driftedFields, fighting: report.drift.fighting },
    resources: report.resources.map((resource) => ({
      group: resource.group,
      version: resource.version,
      kind: resource.kind,
      namespace: resource.namespace,
      name: resource.name,
      change: CHANGES[resource.change],
      health: HEALTHS[resource.health],
      message: resource.message,
      drift: resource.drift.map((drift) => ({ ...drift })),
    })),
    reason: report.reason,
    observedAtUnixMs: BigInt(report.observedAt.getTime()),
  };
}
