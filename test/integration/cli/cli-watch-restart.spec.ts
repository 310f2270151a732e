import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHub, type HubProcess } from '../../support/hub-process.js';
import { startCli } from '../../support/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { graphqlRequest } from '../../support/test-hub.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A watch outlives a hub restart: it says the hub is gone, keeps trying, and goes on when the hub is back. */
describe('flotilla --watch across a hub restart', () => {
  let database: TestDatabase;
  let dataDir: string;
  let hub: HubProcess | undefined;
  let port: number;
  const start = async () => {
    const started = spawnHub({
      DATABASE_URL: database.url,
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_HTTP_PORT: String(port),
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_LOG_LEVEL: 'log',
    });
    await started.waitForOutput(/hub ready in \d+ ms/, 90_000);
    return started;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-cli-restart-'));
    await chmod(dataDir, 0o755);
    port = await freePort();
  });
  afterAll(async () => {
    hub?.child.kill('SIGKILL');
    await hub?.exited;
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps watching clusters while the hub is killed and started again', async () => {
    hub = await start();
    const token = (await hub.waitForOutput(/(flt_[A-Za-z0-9_-]{43})/))[1]!;
    const url = `http://127.0.0.1:${port}`;
    const create = (name: string) => graphqlRequest(url, 'mutation($n: String!) { createCluster(input: {name: $n}) { id } }', { token, variables: { n: name } });
    expect((await create('before')).errors).toBeUndefined();

    const watch = startCli(['clusters', 'list', '--watch'], { HOME: dataDir, FLOTILLA_HUB_URL: url, FLOTILLA_TOKEN: token });
    try {
      await watch.waitForStdout(/^before /m);
      hub.child.kill('SIGKILL');
      await hub.exited;
      const deadline = Date.now() + 20_000;
      while (!watch.stderr().includes('trying again')) {
        if (Date.now() > deadline) throw new Error(`the watch never noticed the hub was gone: ${watch.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(watch.stderr()).toMatch(new RegExp(`^flotilla: cannot reach the hub at ${url.replace(/\./g, '\\.')} \\(from FLOTILLA_HUB_URL\\): \\S.*; trying again for up to 60 s$`, 'm'));

      hub = await start();
      expect((await create('after')).errors).toBeUndefined();
      await watch.waitForStdout(/^after /m, 30_000);
      await watch.waitForStderr(/^flotilla: the hub answers again$/m, 5_000);
      expect(watch.child.exitCode).toBeNull();
    } finally {
      watch.child.kill('SIGINT');
    }
    expect(await watch.exited).toBe(130);
  });
});
