import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphqlRequest } from '../../support/test-hub.js';
import { isProcessAlive, spawnHub } from '../../support/hub-process.js';

/** The hub as people run it: a process with its environment, signals and exit codes. */
describe('the hub process', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-proc-'));
    await chmod(dataDir, 0o755);
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it.each([
    [{ FLOTILLA_HTTP_PORT: 'http' }, 'FLOTILLA_HTTP_PORT: expected a port number from 0 to 65535, got "http"'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL: expected a postgres:// or postgresql:// URL'],
    [{ FLOTILLA_ENV: 'production' }, 'FLOTILLA_ENCRYPTION_KEY: required when FLOTILLA_ENV=production'],
    [{ FLOTILLA_ENCRYPTION_KEY: 'k1:tooshort' }, 'FLOTILLA_ENCRYPTION_KEY: entry 1 (key "k1"): expected 32 bytes'],
    [{ FLOTILLA_DATA_DIR: '/dev/null/flotilla' }, 'FLOTILLA_DATA_DIR: cannot create or write /dev/null/flotilla (ENOTDIR)'],
  ])('exits with code 2 naming the variable for %j', async (env, message) => {
    const hub = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', ...env });
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toContain('invalid configuration');
    expect(hub.output()).toContain(message);
    expect(hub.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('runs on the embedded PostgreSQL, answers, and leaves nothing behind after SIGINT', async () => {
    const hub = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1', FLOTILLA_LOG_LEVEL: 'log' });
    const [, port] = await hub.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\/graphql \(embedded PostgreSQL/);
    const token = (await hub.waitForOutput(/(flt_[A-Za-z0-9_-]{43})/))[1]!;
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const answer = await graphqlRequest<{ version: string }>(url, '{ version }', { token });
    expect(answer.data?.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const line of hub.output().split('\n').filter((l) => l.startsWith('{'))) expect(() => JSON.parse(line)).not.toThrow();

    const postgresPid = Number(JSON.parse(await readFile(join(dataDir, 'postgres.runtime.json'), 'utf8')).pid);
    expect(isProcessAlive(postgresPid)).toBe(true);
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);
    expect(isProcessAlive(postgresPid)).toBe(false);
    await expect(readFile(join(dataDir, 'postgres.runtime.json'))).rejects.toThrow();

    // A second start reuses the data: no new admin token, same database.
    const again = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1' });
    const [, port2] = await again.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\//);
    expect(again.output()).not.toContain('first admin API token');
    const still = await graphqlRequest<{ me: { name: string } }>(`http://127.0.0.1:${port2}`, '{ me { name } }', { token });
    expect(still.data?.me.name).toBe('initial-admin');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('reclaims the embedded PostgreSQL orphaned by a killed hub', async () => {
    const first = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1' });
    await first.waitForOutput(/hub ready in/);
    const orphanPid = Number(JSON.parse(await readFile(join(dataDir, 'postgres.runtime.json'), 'utf8')).pid);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isProcessAlive(orphanPid)).toBe(true);

    const second = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1' });
    await second.waitForOutput(/hub ready in/);
    expect(second.output()).toContain(`stopping an orphaned embedded PostgreSQL (pid ${orphanPid})`);
    expect(isProcessAlive(orphanPid)).toBe(false);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses to share its data directory with a running hub', async () => {
    const first = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1' });
    await first.waitForOutput(/hub ready in/);
    const second = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1' });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+: another Flotilla hub is probably running on this data directory/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('says which port is taken', async () => {
    const blocker = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    try {
      const hub = spawnHub({ FLOTILLA_DATA_DIR: dataDir, FLOTILLA_HTTP_PORT: '0', FLOTILLA_EMBEDDED_PG_PORT: port });
      expect(await hub.exited).toBe(1);
      expect(hub.output()).toContain(`port ${port} on 127.0.0.1 is not available for the embedded PostgreSQL`);
      expect(hub.output()).toContain('FLOTILLA_EMBEDDED_PG_PORT');
    } finally {
      blocker.close();
    }
  });
});
