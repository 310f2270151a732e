import { startTestHub, type TestHub } from '../../support/test-hub.js';

const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name role } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`;

describe('API authentication, roles and audit', () => {
  let hub: TestHub;
  const tokensOf: Record<string, { token: string; id: string }> = {};

  const count = async (table: 'api_tokens' | 'audit_log'): Promise<number> =>
    Number((await query(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
  const query = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    hub = await startTestHub();
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const created = await hub.graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE, {
        token: hub.adminToken,
        variables: { input: { name: `${role}-bot`, role } },
      });
      expect(created.errors).toBeUndefined();
      tokensOf[role] = { token: created.data!.createApiToken.token, id: created.data!.createApiToken.apiToken.id };
    }
  });

  afterAll(() => hub?.close());

  it('creates exactly one first admin token, which works', async () => {
    expect(hub.adminToken).toMatch(/^flt_/);
    const me = await hub.graphql<{ me: { name: string; role: string } }>('{ me { name role } }', { token: hub.adminToken });
    expect(me.data?.me).toEqual({ name: 'initial-admin', role: 'admin' });
  });

  it.each([
    ['no header', undefined],
    ['a malformed token', 'not-a-token'],
    ['an unknown token', `flt_${'A'.repeat(43)}`],
  ])('refuses %s with UNAUTHENTICATED and changes nothing', async (_label, token) => {
    const [tokensBefore, auditBefore] = [await count('api_tokens'), await count('audit_log')];
    const read = await hub.graphql('{ version }', { token });
    expect(read.data).toBeNull();
    expect(read.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const write = await hub.graphql(CREATE, { token, variables: { input: { name: 'sneaky', role: 'admin' } } });
    expect(write.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await count('api_tokens')).toBe(tokensBefore);
    expect(await count('audit_log')).toBe(auditBefore);
  });

  it('lets a viewer query but not mutate, and records the denial', async () => {
    const read = await hub.graphql<{ version: string; health: { status: string } }>('{ version health { status database } }', {
      token: tokensOf.viewer!.token,
    });
    expect(read.errors).toBeUndefined();
    expect(read.data?.health.status).toBe('ok');

    const before = await count('api_tokens');
    const write = await hub.graphql(CREATE, { token: tokensOf.viewer!.token, variables: { input: { name: 'escalate', role: 'admin' } } });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(write.errors?.[0]?.message).toBe('createApiToken requires the admin role; this token has viewer');
    expect(await count('api_tokens')).toBe(before);
    const denied = await query(`SELECT actor, actor_role, action, outcome, arguments FROM audit_log WHERE outcome = 'denied' ORDER BY id DESC LIMIT 1`);
    expect(denied[0]).toMatchObject({ actor: 'viewer-bot', actor_role: 'viewer', action: 'createApiToken', outcome: 'denied' });
  });

  it('keeps token management for admins: an operator is refused', async () => {
    const write = await hub.graphql(REVOKE, { token: tokensOf.operator!.token, variables: { id: tokensOf.viewer!.id } });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await hub.graphql('{ apiTokens { nodes { id } } }', { token: tokensOf.operator!.token });
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('records every mutation with its actor, arguments and outcome', async () => {
    const rows = await query(
      `SELECT actor, actor_role, action, outcome, arguments FROM audit_log WHERE action = 'createApiToken' AND outcome = 'succeeded' ORDER BY id`,
    );
    expect(rows.map((row) => (row.arguments as { input: { name: string } }).input.name)).toEqual(['viewer-bot', 'operator-bot', 'admin-bot']);
    expect(rows[0]).toMatchObject({ actor: 'initial-admin', actor_role: 'admin' });
    const failed = await hub.graphql(CREATE, { token: tokensOf.admin!.token, variables: { input: { name: '', role: 'viewer' } } });
    expect(failed.errors?.[0]).toMatchObject({ message: 'input.name: must be 1-100 characters', extensions: { code: 'BAD_USER_INPUT' } });
    const last = await query(`SELECT actor, outcome, error FROM audit_log ORDER BY id DESC LIMIT 1`);
    expect(last[0]).toEqual({ actor: 'admin-bot', outcome: 'failed', error: 'input.name: must be 1-100 characters' });
    const viaApi = await hub.graphql<{ auditLog: { nodes: { action: string; outcome: string }[] } }>('{ auditLog(first: 2) { nodes { action outcome } } }', {
      token: tokensOf.admin!.token,
    });
    expect(viaApi.data?.auditLog.nodes[0]).toEqual({ action: 'createApiToken', outcome: 'failed' });
  });

  it('refuses a revoked token at once', async () => {
    const victim = await hub.graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE, {
      token: hub.adminToken,
      variables: { input: { name: 'short-lived', role: 'operator' } },
    });
    const { token, apiToken } = victim.data!.createApiToken;
    expect((await hub.graphql('{ version }', { token })).errors).toBeUndefined();
    const revoked = await hub.graphql(REVOKE, { token: hub.adminToken, variables: { id: apiToken.id } });
    expect(revoked.errors).toBeUndefined();
    const after = await hub.graphql('{ version }', { token });
    expect(after.errors?.[0]).toMatchObject({ message: 'the API token is unknown, revoked or expired', extensions: { code: 'UNAUTHENTICATED' } });
    const audit = await query(`SELECT arguments FROM audit_log WHERE action = 'revokeApiToken' ORDER BY id DESC LIMIT 1`);
    expect(audit[0]!.arguments).toEqual({ id: apiToken.id });
  });

  it('refuses an expired token', async () => {
    const created = await hub.graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(CREATE, {
      token: hub.adminToken,
      variables: { input: { name: 'expiring', role: 'viewer', expiresInDays: 1 } },
    });
    const { token, apiToken } = created.data!.createApiToken;
    expect((await hub.graphql('{ version }', { token })).errors).toBeUndefined();
    await query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiToken.id]);
    expect((await hub.graphql('{ version }', { token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never stores or returns a token secret', async () => {
    const stored = await query(`SELECT row_to_json(t)::text AS row FROM api_tokens t`);
    for (const { row } of stored) expect(row as string).not.toContain(hub.adminToken);
    const listed = await hub.graphql<{ apiTokens: { nodes: { name: string }[] } }>('{ apiTokens { nodes { id name displayPrefix } } }', { token: hub.adminToken });
    expect(listed.data?.apiTokens.nodes.map((t) => t.name)).toContain('initial-admin');
    expect(JSON.stringify(listed)).not.toContain(hub.adminToken.slice(12));
  });

  it('answers bad arguments with BAD_USER_INPUT, not an internal error', async () => {
    const bad = await hub.graphql('{ auditLog(after: "1; drop table audit_log") { nodes { id } } }', { token: hub.adminToken });
    expect(bad.errors?.[0]).toMatchObject({ message: 'after: is not a cursor of this list', extensions: { code: 'BAD_USER_INPUT' } });
    const badId = await hub.graphql(REVOKE, { token: hub.adminToken, variables: { id: 'nope' } });
    expect(badId.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await hub.graphql(REVOKE, { token: hub.adminToken, variables: { id: '00000000-0000-0000-0000-000000000000' } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
