import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import pg from 'pg';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { until } from '../../support/until.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver: answers each path with the statuses queued for it (then 200), recording every request. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly server: Server;
  private readonly plans = new Map<string, number[]>();

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(this.plans.get(request.url ?? '')?.shift() ?? 200).end('ok');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  answer(path: string, statuses: number[]): void {
    this.plans.set(path, statuses);
  }

  at(path: string): Received[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'a-shared-secret-of-some-length';

describe('outgoing webhooks', () => {
  let hub: TestHub;
  let db: pg.Client;
  let repo: GitRepoFixture;
  let receiver: Receiver;
  let base: string;

  const graphql = async <T>(query: string, variables?: Record<string, unknown>) => hub.graphql<T>(query, { token: hub.adminToken, variables });
  const addWebhook = (variables: Record<string, unknown>) =>
    graphql<{ addWebhook: { id: string; url: string; events: string[] } }>(
      'mutation($url: String!, $format: WebhookFormat!, $events: [String!]!, $secret: String!) { addWebhook(url: $url, format: $format, events: $events, secret: $secret) { id url events } }',
      { format: 'json', secret: SECRET, ...variables },
    );
  const deliveries = async (webhookId: string) =>
    (
      await graphql<{ webhookDeliveries: { nodes: { kind: string; state: string; attempts: number; lastStatus: number | null; lastError: string | null }[]; totalCount: number } }>(
        'query($id: ID) { webhookDeliveries(webhookId: $id) { nodes { kind state attempts lastStatus lastError } totalCount } }',
        { id: webhookId },
      )
    ).data!.webhookDeliveries;
  /** What the agent ingester writes when a status reports drifted fields. */
  const reportDrift = (cluster: string, driftedFields: number) =>
    db.query(
      `INSERT INTO bundle_statuses (bundle_id, cluster_id, generation, stream, seq, phase, health, drifted_fields)
       SELECT b.id, c.id, 1, 1, 1, 'APPLIED', 'HEALTHY', $2 FROM bundles b, clusters c WHERE b.name = 'web' AND c.name = $1
       ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET drifted_fields = EXCLUDED.drifted_fields, seq = bundle_statuses.seq + 1`,
      [cluster, driftedFields],
    );

  beforeAll(async () => {
    receiver = new Receiver();
    base = await receiver.listen();
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {matchLabels: {env: prod}}}]\n');
    await repo.write('web/deploy.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "1"}\n');
    await repo.commit('web');
    hub = await startTestHub({
      env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP: 'true', FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', FLOTILLA_WEBHOOK_RETRY_BASE_MS: '50', FLOTILLA_WEBHOOK_MAX_ATTEMPTS: '3' },
    });
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    for (const name of ['prod-1', 'prod-2']) {
      expect((await graphql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', { input: { name, labels: [{ key: 'env', value: 'prod' }] } })).errors).toBeUndefined();
    }
    const source = await graphql('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } });
    expect(source.errors).toBeUndefined();
    await until(async () => (await db.query(`SELECT 1 FROM bundles WHERE name = 'web'`)).rowCount === 1, 'the bundle', 15_000);
  });

  afterAll(async () => {
    await db?.end();
    await hub?.close();
    await repo?.destroy();
    await receiver?.close();
  });

  it('delivers a drift event as signed JSON, retrying with backoff after the receiver fails', async () => {
    receiver.answer('/drift', [500, 503]);
    const added = await addWebhook({ url: `${base}/drift`, events: ['drift.detected', 'rollout.phase-changed'] });
    expect(added.errors).toBeUndefined();
    expect(added.data!.addWebhook).toMatchObject({ url: `${base}/drift`, events: ['drift.detected', 'rollout.phase-changed'] });
    const stored = await db.query(`SELECT secret FROM webhooks WHERE id = $1`, [added.data!.addWebhook.id]);
    expect((stored.rows[0].secret as Buffer).includes(Buffer.from(SECRET))).toBe(false);

    await reportDrift('prod-1', 2);
    await until(() => receiver.at('/drift').length === 3, 'three attempts', 15_000);
    const attempts = receiver.at('/drift');
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    const last = attempts[2]!;
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({ kind: 'drift.detected', subject: 'bundle/web/cluster/prod-1', data: { bundle: 'web', cluster: 'prod-1', driftedFields: 2 } });
    expect(last.body).not.toContain(SECRET);
    const timestamp = last.headers['x-flotilla-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(last.headers['x-flotilla-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${last.body}`).digest('hex')}`);
    expect(last.headers['x-flotilla-event']).toBe('drift.detected');

    await until(async () => (await deliveries(added.data!.addWebhook.id)).nodes[0]?.state === 'delivered', 'the delivery to be recorded', 15_000);
    expect((await deliveries(added.data!.addWebhook.id)).nodes).toEqual([{ kind: 'drift.detected', state: 'delivered', attempts: 3, lastStatus: 200, lastError: null }]);
  });

  it('sends Slack-compatible text, only for the kinds asked for', async () => {
    const added = await addWebhook({ url: `${base}/slack/T000/B000/XXXX`, format: 'slack', events: ['drift.cleared'] });
    expect(added.data!.addWebhook.url).toBe(`${base}/slack/…`);
    await reportDrift('prod-2', 4); // drift.detected: not asked for
    await reportDrift('prod-2', 0); // drift.cleared
    await until(() => receiver.at('/slack/T000/B000/XXXX').length === 1, 'the Slack message', 15_000);
    expect(JSON.parse(receiver.at('/slack/T000/B000/XXXX')[0]!.body)).toEqual({ text: '[flotilla] Drift cleared: bundle web on cluster prod-2' });
    expect((await deliveries(added.data!.addWebhook.id)).totalCount).toBe(1);
    // The path of a Slack URL is its credential: the audit log keeps only what the API shows.
    const audited = await db.query(`SELECT arguments FROM audit_log WHERE action = 'addWebhook' ORDER BY id DESC LIMIT 1`);
    expect(audited.rows[0].arguments).toMatchObject({ url: `${base}/slack/…`, secret: '[REDACTED]' });
    expect(JSON.stringify(audited.rows[0].arguments)).not.toContain('XXXX');
  });

  it('gives up after the configured attempts and records why', async () => {
    receiver.answer('/down', [500, 500, 500, 500]);
    const added = await addWebhook({ url: `${base}/down`, events: ['drift.detected'] });
    await reportDrift('prod-1', 5);
    await until(async () => (await deliveries(added.data!.addWebhook.id)).nodes[0]?.state === 'failed', 'the delivery to fail', 15_000);
    expect((await deliveries(added.data!.addWebhook.id)).nodes[0]).toEqual({ kind: 'drift.detected', state: 'failed', attempts: 3, lastStatus: 500, lastError: 'the receiver answered HTTP 500' });
    expect(receiver.at('/down')).toHaveLength(3);
    const failed = await graphql<{ webhookDeliveries: { totalCount: number } }>('{ webhookDeliveries(state: failed) { totalCount } }');
    expect(failed.data!.webhookDeliveries.totalCount).toBe(1);
  });

  it('refuses bad input naming the argument, and anyone but an admin', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://example.com/x', events: ['drift.detected'] }, 'url'],
      [{ url: 'https://user:pw@example.com/x', events: ['drift.detected'] }, 'url'],
      [{ url: 'not a url', events: ['drift.detected'] }, 'url'],
      [{ url: 'https://example.com/x', events: ['drift.exploded'] }, 'events'],
      [{ url: 'https://example.com/x', events: [] }, 'events'],
      [{ url: 'https://example.com/x', events: ['drift.detected'], secret: 'short' }, 'secret'],
    ];
    for (const [variables, argument] of cases) {
      const result = await addWebhook(variables);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const created = await graphql<{ createApiToken: { token: string } }>('mutation { createApiToken(input: {name: "ops", role: operator}) { token } }');
    const denied = await hub.graphql('{ webhooks { id } }', { token: created.data!.createApiToken.token });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists and deletes webhooks, with their delivery log', async () => {
    const list = await graphql<{ webhooks: { id: string; url: string }[] }>('{ webhooks { id url } }');
    expect(list.data!.webhooks).toHaveLength(3);
    const id = list.data!.webhooks[0]!.id;
    const deleted = await graphql('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id });
    expect(deleted.errors).toBeUndefined();
    expect((await graphql<{ webhooks: unknown[] }>('{ webhooks { id } }')).data!.webhooks).toHaveLength(2);
    expect((await deliveries(id)).totalCount).toBe(0);
    const again = await graphql('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
