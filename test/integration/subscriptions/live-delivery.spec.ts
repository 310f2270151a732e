import { createClient } from 'graphql-ws';
import pg from 'pg';
import { liveSubscribers, subscribeMany, Subscriber, untilSubscribed } from '../../support/graphql-subscriber.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

interface Connection {
  eventId: string;
  cluster: string;
  state: string;
}

/** Gauge value from the hub's /metrics. */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('live delivery from the LISTEN connection', () => {
  let hub: TestHub;
  let db: pg.Client;

  beforeAll(async () => {
    hub = await startTestHub({ env: { FLOTILLA_SUBSCRIPTION_TOKEN_RECHECK_S: '1', FLOTILLA_SUBSCRIPTION_MAX_PER_SOCKET: '2', FLOTILLA_SUBSCRIPTION_MAX_MESSAGE_BYTES: '8192' } });
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    for (const name of ['c1', 'c2', 'c3']) {
      const created = await hub.graphql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', { token: hub.adminToken, variables: { input: { name } } });
      expect(created.errors).toBeUndefined();
    }
    await db.query(`INSERT INTO cluster_connections (cluster_id, state) SELECT id, 'Disconnected' FROM clusters`);
  });

  afterAll(async () => {
    await db?.end();
    await hub?.close();
  });

  it('reconnects after being killed and delivers every event produced meanwhile, in order, once', async () => {
    const before = await liveSubscribers(hub.url);
    const subscriber = new Subscriber<Connection>(hub.url, 'subscription { clusterConnectionChanged { eventId cluster state } }', { token: hub.adminToken });
    await untilSubscribed(hub.url, before + 1);
    expect(await gauge(hub.url, 'flotilla_event_listener_connections')).toBe(1);

    // A writer flips connection states continuously (each flip is one event, written by the trigger in the
    // writer's transaction), while another connection kills the hub's LISTEN backend halfway.
    const flips = 300;
    const producer = (async () => {
      for (let i = 0; i < flips; i += 1) {
        await db.query(`UPDATE cluster_connections SET state = CASE state WHEN 'Connected' THEN 'Disconnected' ELSE 'Connected' END, updated_at = now()
                         WHERE cluster_id = (SELECT id FROM clusters WHERE name = $1)`, [`c${(i % 3) + 1}`]);
        if (i === flips / 3) {
          const killed = await db.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'flotilla-events-listener' AND datname = current_database()`);
          expect(killed.rows).toEqual([{ ok: true }]);
        }
      }
    })();
    await producer;

    const expected = (await db.query(`SELECT id::text AS id FROM events WHERE kind LIKE 'cluster.%' AND data->>'previousState' IS NOT NULL ORDER BY events.id`)).rows.map((row) => row.id as string);
    expect(expected).toHaveLength(flips);
    const deadline = Date.now() + 20_000;
    while (subscriber.received.length < flips && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(subscriber.received.map((event) => event.eventId)).toEqual(expected);
    expect(await gauge(hub.url, 'flotilla_event_listener_connections')).toBe(2);
    await subscriber.close();
  });

  it('delivers an event whose transaction took a lower id but committed after a later one, across a reconnect', async () => {
    const before = await liveSubscribers(hub.url);
    const subscriber = new Subscriber<Connection>(hub.url, 'subscription { clusterConnectionChanged { eventId cluster state } }', { token: hub.adminToken });
    await untilSubscribed(hub.url, before + 1);
    const slow = new pg.Client({ connectionString: hub.database.url });
    await slow.connect();
    const flip = `UPDATE cluster_connections SET state = CASE state WHEN 'Connected' THEN 'Disconnected' ELSE 'Connected' END
                   WHERE cluster_id = (SELECT id FROM clusters WHERE name = $1)`;
    try {
      // The slow transaction takes its event id first and holds it; a later id commits and is delivered.
      await slow.query('BEGIN');
      await slow.query(flip, ['c1']);
      await db.query(flip, ['c2']);
      const later = await subscriber.next((e) => e.cluster === 'c2');
      // The LISTEN connection dies; meanwhile the slow transaction commits, so its NOTIFY is lost.
      const connections = await gauge(hub.url, 'flotilla_event_listener_connections');
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flotilla-events-listener' AND datname = current_database()`);
      await slow.query('COMMIT');
      const early = await subscriber.next((e) => e.cluster === 'c1');
      expect(BigInt(early.eventId)).toBeLessThan(BigInt(later.eventId));
      expect(await gauge(hub.url, 'flotilla_event_listener_connections')).toBe(connections + 1);
      await db.query(flip, ['c3']);
      await subscriber.next((e) => e.cluster === 'c3');
      expect(subscriber.received.map((e) => e.cluster)).toEqual(['c2', 'c1', 'c3']);
    } finally {
      await slow.end();
      await subscriber.close();
    }
  });

  it('fans one event out to 100 subscribers, each on its own socket', async () => {
    const fleet = await subscribeMany<Connection>(hub.url, 100, 'subscription { clusterConnectionChanged(cluster: "c3") { eventId cluster state } }', { token: hub.adminToken });
    try {
      const ms = await fleet.timeDelivery(
        () => db.query(`UPDATE cluster_connections SET state = CASE state WHEN 'Connected' THEN 'Disconnected' ELSE 'Connected' END WHERE cluster_id = (SELECT id FROM clusters WHERE name = 'c3')`),
        (event) => event.cluster === 'c3',
      );
      expect(ms).toBeGreaterThan(0);
      expect(new Set(fleet.subscribers.map((subscriber) => subscriber.received[0]!.eventId)).size).toBe(1);
    } finally {
      await fleet.close();
    }
  });

  it('closes a socket once its token expires (the periodic re-check)', async () => {
    const created = await hub.graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      'mutation { createApiToken(input: {name: "short-lived", role: viewer, expiresInDays: 1}) { token apiToken { id } } }',
      { token: hub.adminToken },
    );
    const { token, apiToken } = created.data!.createApiToken;
    const before = await liveSubscribers(hub.url);
    const subscriber = new Subscriber<Connection>(hub.url, 'subscription { clusterConnectionChanged { cluster } }', { token });
    await untilSubscribed(hub.url, before + 1);
    // Time passes: the token's expiry is now behind us (no NOTIFY is sent for that).
    await db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiToken.id]);
    expect(await subscriber.closedWith(5_000)).toEqual({ code: 4401, reason: 'the API token was revoked or has expired' });
    await subscriber.close();
  });

  it('closes a socket that sends a message over the configured size (1009), and serves one under it', async () => {
    const open = async (): Promise<WebSocket> => {
      const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      return socket;
    };
    const closed = (socket: WebSocket) => new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)));

    const small = await open();
    const acked = new Promise<string>((resolve) => (small.onmessage = (event) => resolve(String(event.data))));
    small.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${hub.adminToken}`, padding: 'x'.repeat(6_000) } }));
    expect(JSON.parse(await acked)).toEqual({ type: 'connection_ack' });
    small.close();

    // The hub logs it through its own (JSON) logger: nothing goes to console.error.
    const consoleErrors: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void consoleErrors.push(args);
    try {
      const big = await open();
      const code = closed(big);
      big.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${hub.adminToken}`, padding: 'x'.repeat(10_000) } }));
      expect(await code).toBe(1009);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      console.error = consoleError;
    }
    expect(consoleErrors).toEqual([]);
  });

  it('holds at most the configured number of operations on one socket', async () => {
    const client = createClient({ url: `${hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${hub.adminToken}` } });
    const outcomes: unknown[][] = [[], [], []];
    const stops = outcomes.map((errors) =>
      client.subscribe({ query: 'subscription { clusterConnectionChanged { cluster } }' }, { next: () => undefined, error: (error) => errors.push(error), complete: () => undefined }),
    );
    try {
      const deadline = Date.now() + 10_000;
      while (outcomes[2]!.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(outcomes[2]).toEqual([[expect.objectContaining({ message: 'at most 2 operations may run on one connection', extensions: { code: 'TOO_MANY_OPERATIONS' } })]]);
      expect(outcomes[0]).toEqual([]);
      expect(outcomes[1]).toEqual([]);
    } finally {
      stops.forEach((stop) => stop());
      await client.dispose();
    }
  });
});
