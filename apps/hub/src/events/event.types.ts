/** One row of the timeline, as stored: ids are decimal strings (bigint), data is what the writer recorded. */
export interface EventRecord {
  readonly id: string;
  readonly kind: EventKind;
  readonly subject: string;
  readonly occurredAt: Date;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Every kind the database triggers write; the events query refuses any other. */
export const EVENT_KINDS = [
  'cluster.connected',
  'cluster.disconnected',
  'bundle-deployment.changed',
  'drift.detected',
  'drift.cleared',
  'rollout.started',
  'rollout.phase-changed',
  'rollout.wave-started',
  'revision.added',
  'api.action',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(value: string): value is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(value);
}

/** The NOTIFY channels the migration's triggers announce on. */
export const EVENTS_CHANNEL = 'flotilla_events';
export const TOKEN_REVOKED_CHANNEL = 'flotilla_token_revoked';
