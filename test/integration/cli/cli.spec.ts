import { EncryptionKeyring } from '@flotilla/crypto';
import { runCli } from '../../support/run-cli.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

describe('the flotilla CLI', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await startTestHub()));
  afterAll(() => hub?.close());

  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: flotilla');
    expect(result.stdout).toMatch(/token\s/);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('creates an admin token against the database that the hub then accepts', async () => {
    const result = await runCli(['token', 'create', '--role', 'admin', '--name', 'break-glass'], { DATABASE_URL: hub.database.url });
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).toContain('created admin token "break-glass"');
    const me = await hub.graphql<{ me: { name: string; role: string } }>('{ me { name role } }', { token });
    expect(me.data?.me).toEqual({ name: 'break-glass', role: 'admin' });

    const listed = await runCli(['token', 'list'], { DATABASE_URL: hub.database.url });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/break-glass\s+admin\s+flt_\S+…\s+active/);
    expect(listed.stdout).not.toContain(token);

    const id = /^(\S+)\s+break-glass/m.exec(listed.stdout)![1]!;
    expect((await runCli(['token', 'revoke', id], { DATABASE_URL: hub.database.url })).code).toBe(0);
    const refused = await hub.graphql('{ me { name } }', { token });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    [['token', 'create', '--role', 'root'], '--role: expected one of viewer, operator, admin, got "root"'],
    [['token', 'create', '--role', 'admin', '--expires-in-days', 'soon'], '--expires-in-days: expected 1-3650'],
    [['token', 'revoke', 'x'], '<id>: expected a token id'],
    [['token', 'create'], "required option '--role <role>' not specified"],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await runCli(args, { DATABASE_URL: hub.database.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 naming DATABASE_URL when it is not a PostgreSQL URL', async () => {
    const result = await runCli(['migrate', 'status'], { DATABASE_URL: 'mysql://x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL');
  });

  it('exits 1 with a clear message when the database is unreachable', async () => {
    const result = await runCli(['migrate', 'status'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot use the database: .*ECONNREFUSED/);
  });

  it('shows migration status', async () => {
    const result = await runCli(['migrate', 'status'], { DATABASE_URL: hub.database.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^applied\s+Foundation\d+$/m);
  });

  it('generates encryption keys the hub accepts', async () => {
    const result = await runCli(['key', 'generate', '--id', 'prod-2027']);
    expect(result.code).toBe(0);
    expect(EncryptionKeyring.parse(result.stdout.trim()).primaryKeyId).toBe('prod-2027');
  });

  it('verifies the audit chain', async () => {
    await hub.graphql('mutation { createApiToken(input: {name: "audited", role: viewer}) { token } }', { token: hub.adminToken });
    const result = await runCli(['audit', 'verify'], { DATABASE_URL: hub.database.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^audit chain valid: \d+ records, head \d+ [0-9a-f]{64}$/m);
    const badHead = await runCli(['audit', 'verify', '--head-file', '/nonexistent'], { DATABASE_URL: hub.database.url });
    expect(badHead.code).toBe(2);
  });
});
