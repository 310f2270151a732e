import pg from 'pg';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

interface EventNode {
  id: string;
  kind: string;
  subject: string;
  occurredAt: string;
  data: Record<string, unknown>;
}
interface EventPage {
  events: { edges: { cursor: string; node: EventNode }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null }; totalCount: number };
}

const QUERY = `query($first: Int, $after: String, $kind: String, $subject: String, $since: DateTime, $until: DateTime) {
  events(first: $first, after: $after, kind: $kind, subject: $subject, since: $since, until: $until) {
    edges { cursor node { id kind subject occurredAt data } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    totalCount
  }
}`;

describe('the events timeline', () => {
  let hub: TestHub;
  let db: pg.Client;

  const events = async (variables: Record<string, unknown>, token = hub.adminToken) => hub.graphql<EventPage>(QUERY, { token, variables });
  const ids = async (where: string, params: unknown[] = []): Promise<string[]> =>
    (await db.query(`SELECT id::text AS id FROM events WHERE ${where} ORDER BY events.occurred_at DESC, events.id DESC`, params)).rows.map((row) => row.id as string);

  beforeAll(async () => {
    hub = await startTestHub({ env: { FLOTILLA_EVENTS_RETENTION_DAYS: '1', FLOTILLA_EVENTS_RETENTION_INTERVAL_S: '1' } });
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    for (const name of ['a', 'b', 'ab']) {
      const created = await hub.graphql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', { token: hub.adminToken, variables: { input: { name } } });
      expect(created.errors).toBeUndefined();
    }
    // Connection changes as the agent gateway writes them; the triggers record them.
    await db.query(`INSERT INTO cluster_connections (cluster_id, state, connected_at) SELECT id, 'Connected', now() FROM clusters ORDER BY name`);
    await db.query(`UPDATE cluster_connections SET state = 'Disconnected' WHERE cluster_id = (SELECT id FROM clusters WHERE name = 'a')`);
    await db.query(`UPDATE cluster_connections SET last_seen_at = now()`); // heartbeats are not events
  });

  afterAll(async () => {
    await db?.end();
    await hub?.close();
  });

  it('records API actions (from the audit log) and state changes, newest first', async () => {
    const result = await events({ first: 50 });
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.events.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id)).toEqual(await ids('true'));
    expect(nodes.map((node) => `${node.kind} ${node.subject}`)).toEqual([
      'cluster.disconnected cluster/a',
      'cluster.connected cluster/b',
      'cluster.connected cluster/ab',
      'cluster.connected cluster/a',
      'api.action api/createCluster',
      'api.action api/createCluster',
      'api.action api/createCluster',
    ]);
    expect(nodes[0]!.data).toMatchObject({ cluster: 'a', state: 'Disconnected', previousState: 'Connected' });
    expect(nodes.at(-1)!.data).toMatchObject({ actor: 'initial-admin', action: 'createCluster', outcome: 'succeeded', actorRole: 'admin' });
    expect(result.data!.events.totalCount).toBe(7);
  });

  it('filters by kind, by subject (itself and below it) and by time', async () => {
    const connected = await events({ kind: 'cluster.connected' });
    expect(connected.data!.events.edges.map((edge) => edge.node.subject)).toEqual(['cluster/b', 'cluster/ab', 'cluster/a']);

    const exact = await events({ subject: 'cluster/a' });
    expect(exact.data!.events.edges.map((edge) => edge.node.kind)).toEqual(['cluster.disconnected', 'cluster.connected']);
    const below = await events({ subject: 'cluster' });
    expect(below.data!.events.totalCount).toBe(4);
    const api = await events({ subject: 'api', kind: 'api.action' });
    expect(api.data!.events.totalCount).toBe(3);
    expect((await events({ subject: 'cluste' })).data!.events.totalCount).toBe(0);

    const all = (await events({})).data!.events.edges.map((edge) => edge.node);
    const pivot = all[3]!; // 'cluster.connected cluster/a'
    const [{ t }] = (await db.query(`SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM events WHERE id = $1`, [pivot.id])).rows;
    const since = await events({ since: t });
    expect(since.data!.events.edges.map((edge) => edge.node.id)).toEqual(await ids('occurred_at >= $1', [t]));
    const until = await events({ until: t });
    expect(until.data!.events.edges.map((edge) => edge.node.id)).toEqual(await ids('occurred_at < $1', [t]));
    expect(since.data!.events.totalCount + until.data!.events.totalCount).toBe(7);
  });

  it('pages through the whole list with cursors, each item exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: EventPage['events'] = (await events({ first: 2, after })).data!.events;
      seen.push(...page.edges.map((edge) => edge.node.id));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(await ids('true'));
    const filtered = (await events({ first: 1, kind: 'cluster.connected' })).data!.events;
    const next = (await events({ first: 5, kind: 'cluster.connected', after: filtered.pageInfo.endCursor })).data!.events;
    expect(next.edges.map((edge) => edge.node.subject)).toEqual(['cluster/ab', 'cluster/a']);
  });

  it('refuses bad arguments with a typed error naming the argument, and callers without a token', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'cluster.exploded' }, 'kind'],
      [{ subject: 'cluster/a/../b' }, 'subject'],
      [{ after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ after: Buffer.from(JSON.stringify(['yesterday', '1'])).toString('base64url') }, 'after'],
      [{ first: 0 }, 'first'],
      [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'until'],
    ];
    for (const [variables, argument] of cases) {
      const result = await events(variables);
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    }
    const anonymous = await hub.graphql(QUERY, { variables: {} });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('shows viewers the state changes but keeps the audit trail (api.action) for admins', async () => {
    const created = await hub.graphql<{ createApiToken: { token: string } }>('mutation { createApiToken(input: {name: "reader", role: viewer}) { token } }', { token: hub.adminToken });
    const viewer = created.data!.createApiToken.token;
    const seen = await events({}, viewer);
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.events.edges.map((edge) => edge.node.kind).sort()).toEqual(['cluster.connected', 'cluster.connected', 'cluster.connected', 'cluster.disconnected']);
    expect(seen.data!.events.totalCount).toBe(4);
    const audit = await events({ kind: 'api.action' }, viewer);
    expect(audit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is append-only: updates, deletes and truncation are refused, outside retention', async () => {
    for (const statement of [`UPDATE events SET subject = 'cluster/z'`, `DELETE FROM events`, `TRUNCATE events`]) {
      await expect(db.query(statement)).rejects.toThrow(/events is append-only/);
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n).toBeGreaterThanOrEqual(7);
  });

  it('deletes events older than the retention, periodically, and keeps the rest', async () => {
    await db.query(`INSERT INTO events (occurred_at, kind, subject) VALUES (now() - interval '25 hours', 'api.action', 'api/old'), (now() - interval '23 hours', 'api.action', 'api/recent')`);
    const deadline = Date.now() + 10_000;
    while ((await db.query(`SELECT 1 FROM events WHERE subject = 'api/old'`)).rowCount! > 0) {
      if (Date.now() > deadline) throw new Error('the old event is still there');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM events WHERE subject = 'api/recent'`)).rows[0].n).toBe(1);
    expect((await events({ subject: 'api/old' })).data!.events.totalCount).toBe(0);
  });
});
