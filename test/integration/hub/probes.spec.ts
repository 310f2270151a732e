import pg from 'pg';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

describe('probes and metrics', () => {
  let hub: TestHub;

  // The database outage below makes the hub log errors on purpose.
  beforeAll(async () => (hub = await startTestHub({ logLevels: [] })));
  afterAll(() => hub?.close());

  it('answers /healthz without a token', async () => {
    const response = await fetch(`${hub.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready while the database answers, and not ready when it does not', async () => {
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });

    // Cut the hub off from its database: refuse new connections and end the open ones.
    const admin = new pg.Client({ connectionString: process.env.FLOTILLA_TEST_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${hub.database.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 `, [
        hub.database.name,
      ]);
      const down = await fetch(`${hub.url}/readyz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { status: string; checks: { database: string } };
      expect(body.status).toBe('not ready');
      expect(body.checks.database).not.toBe('ok');
      const refused = await hub.graphql('{ version }', { token: hub.adminToken });
      expect(refused.errors?.[0]).toMatchObject({ message: 'the database is unavailable; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      await admin.query(`ALTER DATABASE ${hub.database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${hub.url}/readyz`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  });

  it('serves Prometheus metrics: flotilla_ metrics and process metrics', async () => {
    await fetch(`${hub.url}/healthz`);
    const response = await fetch(`${hub.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^flotilla_build_info\{component="hub",version="[^"]+"\} 1$/m);
    expect(text).toMatch(/^flotilla_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('refuses HTTP routes that are not public', async () => {
    const response = await fetch(`${hub.url}/graphql`, { method: 'GET' });
    expect(response.status).not.toBe(200);
  });
});

describe('GraphQL query protection', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await startTestHub()));
  afterAll(() => hub?.close());

  it('refuses a query that is too deep or uses too many aliases, before running it', async () => {
    const deep = await hub.graphql('{ me { name } ' + Array.from({ length: 25 }, (_, i) => `a${i}: version`).join(' ') + ' }', { token: hub.adminToken });
    expect(deep.errors?.[0]?.message).toMatch(/aliases; the limit is 30|root fields; the limit is 20/);
    expect(deep.data).toBeUndefined();
  });

  it('refuses an oversized request body', async () => {
    const response = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify({ query: `{ version } # ${'x'.repeat(2 * 1024 * 1024)}` }),
    });
    expect(response.status).toBe(413);
  });
});
