import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleetSimulator, type FleetEvent, type FleetSimulator } from '@flotilla/fleet-simulator';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { spawnHub, type HubProcess } from '../../support/hub-process.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { queryRows } from '../../support/test-database.js';
import { graphqlRequest } from '../../support/test-hub.js';
import { until } from '../../support/until.js';

const AGENTS = 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The hub dies with kill -9 while 100 real agents (the fleet simulator: own keys, certificates and
 * TLS connections) are connected, and starts again on the same database and ports: every agent
 * reconnects, Hello.known spares them every unchanged bundle (zero Desired messages), a change
 * made afterwards reaches each exactly once, and no acked generation is lost.
 */
describe('a hub killed with -9 and started again', () => {
  let database: TestDatabase;
  let dataDir: string;
  let repo: GitRepoFixture;
  let hub: HubProcess | undefined;
  let fleet: FleetSimulator | undefined;
  const events: { at: number; event: FleetEvent }[] = [];

  const sql = (text: string, params: unknown[] = []) => queryRows(database, text, params);
  const acked = (): Promise<Record<string, unknown>[]> =>
    sql(`SELECT b.name AS bundle, s.cluster_id::text AS cluster, s.acked_generation::text AS generation FROM bundle_statuses s JOIN bundles b ON b.id = s.bundle_id ORDER BY 1, 2`);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-restart-'));
    await chmod(dataDir, 0o755);
    repo = await GitRepoFixture.create();
    for (const name of ['stays', 'changes']) {
      await repo.write(`${name}/flotilla.yaml`, `name: ${name}\ntargets: [{selector: {}}]\n`);
      await repo.write(`${name}/cm.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {v: "1"}\n`);
    }
    await repo.commit('two bundles');
  });

  afterAll(async () => {
    await fleet?.stop();
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    await database?.drop();
    await repo?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets every agent reconnect, re-sends nothing unchanged, and loses no ack', async () => {
    // Fixed agent ports (the agents dial them again after the restart); HTTP may move.
    const env = {
      DATABASE_URL: database.url,
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_HTTP_PORT: '0',
      FLOTILLA_GRPC_PORT: String(await freePort()),
      FLOTILLA_REGISTRATION_PORT: String(await freePort()),
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
      FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
      FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '1000',
    };
    const start = async (): Promise<{ url: string }> => {
      hub = spawnHub(env);
      const [, port] = await hub.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\//, 60_000);
      return { url: `http://127.0.0.1:${port}` };
    };
    let { url } = await start();
    const token = (await hub!.waitForOutput(/(flt_[A-Za-z0-9_-]{43})/))[1]!;
    const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
      const result = await graphqlRequest<T>(url, query, { token, variables });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    };
    const tokens: string[] = [];
    let caPem = '';
    for (let offset = 0; offset < AGENTS; offset += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          gql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>('mutation($n: String!) { registerCluster(name: $n) { bootstrapToken installManifest } }', {
            n: `edge-${offset + i}`,
          }),
        ),
      );
      tokens.push(...batch.map((b) => b.registerCluster.bootstrapToken));
      caPem ||= parseAllDocuments(batch[0]!.registerCluster.installManifest)
        .map((d) => d.toJS() as { kind: string; stringData?: Record<string, string> })
        .find((o) => o.kind === 'Secret')!.stringData!['hub-ca.pem']!;
    }
    // The source after the clusters: one target computation for the fleet, not one per registration.
    const source = await gql<{ addSource: { source: { id: string } } }>('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', {
      i: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 },
    });

    fleet = await runFleetSimulator({
      agents: AGENTS,
      hubAddress: `127.0.0.1:${env.FLOTILLA_GRPC_PORT}`,
      registrationAddress: `127.0.0.1:${env.FLOTILLA_REGISTRATION_PORT}`,
      hubCaPem: caPem,
      tlsServerName: 'localhost',
      tokens,
      stateDir: join(dataDir, 'agents'),
      startConcurrency: 16,
      // Back soon after the hub is: the restart takes seconds, not the default 30 s ceiling.
      backoff: { initialMs: 200, maxMs: 1_000 },
      onEvent: (event) => events.push({ at: Date.now(), event }),
    });
    const fleetRef = fleet;
    const connectedCount = () => fleetRef.agents.filter((a) => a.connection.connected).length;
    await until(() => connectedCount() === AGENTS, 'every agent to connect', 60_000);
    await until(async () => (await sql(`SELECT count(*)::int AS n FROM bundle_statuses WHERE acked_generation IS NOT NULL`))[0]!.n === 2 * AGENTS, 'every ack in the database', 30_000);
    const before = await acked();
    expect(before).toHaveLength(2 * AGENTS);

    hub!.child.kill('SIGKILL');
    expect(await hub!.exited).toBe('SIGKILL');
    await until(() => connectedCount() === 0, 'every agent to notice', 30_000);
    const restartedAt = Date.now();
    ({ url } = await start());
    await until(() => connectedCount() === AGENTS, 'every agent to reconnect', 60_000);
    const welcomedAgain = new Set(events.filter((e) => e.at >= restartedAt && e.event.type === 'welcomed').map((e) => e.event.agent));
    expect(welcomedAgain.size).toBe(AGENTS);

    // Nothing acked before the kill was lost.
    expect(await acked()).toEqual(before);

    // A change after the restart; its arrival everywhere shows the streams are live and ordered, so
    // any re-sent unchanged bundle would have been received (and acked) before it.
    await repo.write('changes/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: changes, namespace: default}\ndata: {v: "2"}\n');
    await repo.commit('change one bundle');
    await gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: source.addSource.source.id });
    const receivedAfter = (bundle: string) => events.filter((e) => e.at >= restartedAt && (e.event.type === 'acked' || e.event.type === 'rejected') && e.event.bundle === bundle);
    await until(() => new Set(receivedAfter('changes').map((e) => e.event.agent)).size === AGENTS, 'the change to reach every agent', 30_000);
    expect(receivedAfter('stays')).toEqual([]);
    expect(receivedAfter('changes')).toHaveLength(AGENTS); // exactly one Desired each
    // Generations come from one sequence: every new one is above every acked before the kill.
    const highestBefore = before.reduce((max, row) => (BigInt(row.generation as string) > max ? BigInt(row.generation as string) : max), 0n);
    const newAcks = async () =>
      (await sql(`SELECT count(*)::int AS n FROM bundle_statuses s JOIN bundles b ON b.id = s.bundle_id WHERE b.name = 'changes' AND s.acked_generation > $1`, [highestBefore.toString()]))[0]!.n;
    await until(async () => (await newAcks()) === AGENTS, 'the new acks in the database', 30_000);
    const after = new Map((await acked()).map((row) => [`${row.bundle}/${row.cluster}`, row.generation]));
    for (const row of before.filter((r) => r.bundle === 'stays')) expect(after.get(`${row.bundle}/${row.cluster}`)).toBe(row.generation);
  }, 180_000);
});
