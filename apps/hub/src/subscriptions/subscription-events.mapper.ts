import type { EventRecord } from '../events/event.types.js';
import type {
  BundleDeploymentEventModel,
  ClusterConnectionEventModel,
  DriftEventModel,
  RevisionEventModel,
  RolloutProgressEventModel,
} from './dtos/subscription-events.model.js';

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const nullableText = (value: unknown): string | null => (value === undefined || value === null ? null : String(value));
const int = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Turns timeline rows into the typed payloads of each subscription; a row of another kind yields undefined. */
export const subscriptionEvents = {
  clusterConnection(event: EventRecord): ClusterConnectionEventModel | undefined {
    if (event.kind !== 'cluster.connected' && event.kind !== 'cluster.disconnected') return undefined;
    const d = event.data;
    return {
      eventId: event.id,
      occurredAt: event.occurredAt,
      cluster: text(d.cluster),
      clusterId: text(d.clusterId),
      state: text(d.state),
      previousState: nullableText(d.previousState),
      agentVersion: nullableText(d.agentVersion),
    };
  },

  bundleDeployment(event: EventRecord): BundleDeploymentEventModel | undefined {
    if (event.kind !== 'bundle-deployment.changed') return undefined;
    const d = event.data;
    return {
      eventId: event.id,
      occurredAt: event.occurredAt,
      bundle: text(d.bundle),
      cluster: text(d.cluster),
      generation: text(d.generation),
      phase: nullableText(d.phase),
      health: nullableText(d.health),
      terminal: d.terminal === true,
      reason: nullableText(d.reason),
      previousGeneration: nullableText(d.previousGeneration),
      previousPhase: nullableText(d.previousPhase),
      previousHealth: nullableText(d.previousHealth),
    };
  },

  drift(event: EventRecord): DriftEventModel | undefined {
    if (event.kind !== 'drift.detected' && event.kind !== 'drift.cleared') return undefined;
    const d = event.data;
    return {
      eventId: event.id,
      occurredAt: event.occurredAt,
      bundle: text(d.bundle),
      cluster: text(d.cluster),
      generation: text(d.generation),
      driftedFields: int(d.driftedFields) ?? 0,
      fighting: d.fighting === true,
      cleared: event.kind === 'drift.cleared',
      previousDriftedFields: int(d.previousDriftedFields),
    };
  },

  rolloutProgress(event: EventRecord): RolloutProgressEventModel | undefined {
    if (!event.kind.startsWith('rollout.')) return undefined;
    const d = event.data;
    return {
      eventId: event.id,
      occurredAt: event.occurredAt,
      kind: event.kind,
      rolloutId: text(d.rolloutId),
      bundle: text(d.bundle),
      revision: text(d.revision),
      phase: text(d.phase),
      previousPhase: nullableText(d.previousPhase),
      wave: int(d.wave) ?? 0,
      waveName: nullableText(d.waveName),
      reason: nullableText(d.reason),
    };
  },

  revision(event: EventRecord): RevisionEventModel | undefined {
    if (event.kind !== 'revision.added') return undefined;
    const d = event.data;
    return {
      eventId: event.id,
      occurredAt: event.occurredAt,
      sourceId: text(d.sourceId),
      source: text(d.source),
      sha: text(d.sha),
      author: text(d.author),
      message: text(d.message),
      committedAt: new Date(text(d.committedAt)),
    };
  },
};
