/** An event as a webhook delivery carries it (a snapshot taken when the event was recorded). */
export interface WebhookEvent {
  readonly id: string;
  readonly kind: string;
  readonly subject: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type WebhookFormat = 'json' | 'slack';

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** One line a person reads in a chat channel. */
export function summarizeEvent(event: WebhookEvent): string {
  const d = event.data;
  const rollout = `Rollout ${str(d.rolloutId)} of bundle ${str(d.bundle)}`;
  switch (event.kind) {
    case 'drift.detected':
      return `Drift detected: bundle ${str(d.bundle)} on cluster ${str(d.cluster)}, ${str(d.driftedFields)} field(s)${d.fighting ? ', fighting another manager' : ''}`;
    case 'drift.cleared':
      return `Drift cleared: bundle ${str(d.bundle)} on cluster ${str(d.cluster)}`;
    case 'rollout.started':
      return `${rollout} started at ${str(d.revision).slice(0, 12)}${d.waveName ? `, wave ${str(d.waveName)}` : ''}`;
    case 'rollout.phase-changed':
      return `${rollout}: ${str(d.previousPhase)} → ${str(d.phase)}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'rollout.wave-started':
      return `${rollout} reached wave ${str(d.waveName ?? d.wave)}`;
    case 'cluster.connected':
    case 'cluster.disconnected':
      return `Cluster ${str(d.cluster)} ${str(d.state)}`;
    case 'bundle-deployment.changed':
      return `Bundle ${str(d.bundle)} on cluster ${str(d.cluster)}: ${str(d.phase)}, ${str(d.health)} (generation ${str(d.generation)})`;
    case 'revision.added':
      return `New revision ${str(d.sha).slice(0, 12)} of source ${str(d.source)}: ${str(d.message)}`;
    case 'api.action':
      return `${str(d.actor)} ran ${str(d.action)}: ${str(d.outcome)}`;
    default:
      return `${event.kind} on ${event.subject}`;
  }
}

/** Slack's mrkdwn treats &, < and > as markup: escape them so names and reasons stay text. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The request body of a delivery: the event as generic JSON, or a Slack incoming-webhook message.
 * Only the event's recorded data goes out; events never hold Secret values (see the events migration).
 */
export function webhookBody(format: WebhookFormat, event: WebhookEvent): string {
  if (format === 'slack') {
    return JSON.stringify({ text: slackEscape(`[flotilla] ${summarizeEvent(event)}`) });
  }
  return JSON.stringify({ id: event.id, kind: event.kind, subject: event.subject, occurredAt: event.occurredAt, data: event.data });
}
