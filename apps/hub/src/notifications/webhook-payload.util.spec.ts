import { summarizeEvent, webhookBody, type WebhookEvent } from './webhook-payload.util.js';

const drift: WebhookEvent = {
  id: '42',
  kind: 'drift.detected',
  subject: 'bundle/web/cluster/prod-1',
  occurredAt: '2026-11-22T08:00:00.000000+00:00',
  data: { bundle: 'web', cluster: 'prod-1', driftedFields: 3, fighting: true },
};

describe('webhook payloads', () => {
  it.each<[Partial<WebhookEvent>, string]>([
    [{}, 'Drift detected: bundle web on cluster prod-1, 3 field(s), fighting another manager'],
    [{ kind: 'drift.cleared' }, 'Drift cleared: bundle web on cluster prod-1'],
    [{ kind: 'rollout.phase-changed', data: { rolloutId: '7', bundle: 'api', previousPhase: 'Progressing', phase: 'RolledBack', reason: 'prod-3 Degraded' } }, 'Rollout 7 of bundle api: Progressing → RolledBack (prod-3 Degraded)'],
    [{ kind: 'rollout.wave-started', data: { rolloutId: '7', bundle: 'api', wave: 1, waveName: 'rest' } }, 'Rollout 7 of bundle api reached wave rest'],
    [{ kind: 'rollout.started', data: { rolloutId: '7', bundle: 'api', revision: '0123456789abcdef', waveName: 'canary' } }, 'Rollout 7 of bundle api started at 0123456789ab, wave canary'],
  ])('summarizes %j', (change, text) => {
    expect(summarizeEvent({ ...drift, ...change })).toBe(text);
  });

  it('sends generic JSON with the event as recorded', () => {
    expect(JSON.parse(webhookBody('json', drift))).toEqual({ id: '42', kind: 'drift.detected', subject: 'bundle/web/cluster/prod-1', occurredAt: drift.occurredAt, data: drift.data });
  });

  it('sends Slack a text message whose names cannot inject markup', () => {
    const body = JSON.parse(webhookBody('slack', { ...drift, data: { ...drift.data, bundle: '<!channel> & co' } }));
    expect(body).toEqual({ text: '[flotilla] Drift detected: bundle &lt;!channel&gt; &amp; co on cluster prod-1, 3 field(s), fighting another manager' });
  });
});
