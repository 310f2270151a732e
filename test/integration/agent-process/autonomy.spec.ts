import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import { InMemoryClusterClient, KubeSimServer } from '@flotilla/kube-sim';
import { parseAllDocuments } from 'yaml';
import { startHub, type RunningHub } from '../../../apps/hub/src/bootstrap/start-hub.js';
import { loadHubConfig, type HubConfig } from '../../../apps/hub/src/config/hub-config.js';
import { freePort } from '../../../apps/cli/src/demo/demo-hub.js';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { graphqlRequest } from '../../support/test-hub.js';
import { eventually, sample, spawnAgent, type AgentProcess, type AgentProcessOptions } from './agent-process.support.js';
import { editAs } from './kube-edit.support.js';

interface DeploymentRow {
  health: string | null;
  phase: string | null;
  driftedFields: number;
  reportedGeneration: string | null;
  desiredGeneration: string | null;
  observedAt: string | null;
}

/**
 * Issue #6's acceptance: the hub stops; the agent restarts; a drifted object is still corrected
 * from the persisted Desired. A real hub (restarted on the same database, data directory and
 * ports), kube-sim over HTTPS and the agent as its own process, killed with SIGKILL.
 */
describe('the agent without its hub', () => {
  let database: TestDatabase;
  let dataDir: string;
  let dir: string;
  let config: HubConfig;
  let ports: { grpc: number; registration: number };
  let hub: RunningHub | undefined;
  let token = '';
  let repo: GitRepoFixture;
  let cluster: KubeSimServer;
  const agents: AgentProcess[] = [];
  const logger = new ConsoleLogger({ logLevels: ['error'] });

  const graphql = <T>(query: string): Promise<T> =>
    graphqlRequest<T>(`http://127.0.0.1:${hub!.httpPort}`, query, { token }).then((answer) => {
      if (answer.errors?.length) throw new Error(JSON.stringify(answer.errors));
      return answer.data!;
    });
  const row = async (): Promise<DeploymentRow | undefined> =>
    (await graphql<{ bundleDeployments: { nodes: DeploymentRow[] } }>('{ bundleDeployments(cluster: "edge-1") { nodes { health phase driftedFields reportedGeneration desiredGeneration observedAt } } }')).bundleDeployments.nodes[0];

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {}}]\n');
    await repo.write(
      'web/all.yaml',
      [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: live}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "nginx:1.27"}]}',
      ].join('\n---\n'),
    );
    await repo.commit('web');
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flotilla-autonomy-hub-'));
    dir = await mkdtemp(join(tmpdir(), 'flotilla-autonomy-agent-'));
    // Fixed ports: the restarted hub must be where the agent keeps dialling.
    ports = { grpc: await freePort(), registration: await freePort() };
    config = loadHubConfig({
      FLOTILLA_HTTP_PORT: String(await freePort()),
      FLOTILLA_REGISTRATION_PORT: String(ports.registration),
      FLOTILLA_GRPC_PORT: String(ports.grpc),
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
      FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
      FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '500',
    });
    hub = await startHub(config, { logger, onInitialAdminToken: (t) => (token = t) });
    await graphql(`mutation { addSource(input: {name: "fleet", url: ${JSON.stringify(repo.url)}, ref: "main"}) { source { id } } }`);
    cluster = await KubeSimServer.start();
  });

  afterAll(async () => {
    for (const agent of agents) agent.child.kill('SIGKILL');
    await cluster?.close();
    await hub?.close();
    await database?.drop();
    await repo?.destroy();
    for (const path of [dataDir, dir]) if (path) await rm(path, { recursive: true, force: true });
  });

  it('keeps correcting drift from the persisted Desired across a SIGKILL while the hub is down, deletes nothing, and reconnects without a re-send', async () => {
    const registered = await graphql<{ registerCluster: { installManifest: string } }>('mutation { registerCluster(name: "edge-1") { installManifest } }');
    const secret = parseAllDocuments(registered.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!;
    await writeFile(join(dir, 'hub-ca.pem'), secret['hub-ca.pem']!);
    await writeFile(join(dir, 'bootstrap-token'), secret['bootstrap-token']!);
    const options: AgentProcessOptions = {
      hubGrpcPort: ports.grpc,
      hubRegistrationPort: ports.registration,
      hubCaFile: join(dir, 'hub-ca.pem'),
      bootstrapTokenFile: join(dir, 'bootstrap-token'),
      stateDir: join(dir, 'state'),
      kubeconfigPath: cluster.kubeconfigPath,
      home: dir,
    };
    const first = await spawnAgent(options);
    agents.push(first);
    const applied = await eventually('edge-1 Healthy at its desired generation', async () => {
      const found = await row();
      return found?.phase === 'APPLIED' && found.health === 'HEALTHY' && found.reportedGeneration === found.desiredGeneration ? found : undefined;
    });
    await eventually('the first agent counted the Desired', async () => (sample(await first.scrape(), 'flotilla_agent_hub_orders_total', { kind: 'desired', verdict: 'accepted' }) === 1 ? true : undefined));

    // The hub goes away; then the agent dies without any chance to clean up.
    await hub!.close();
    hub = undefined;
    await eventually('the agent to notice the hub is gone', async () => (sample(await first.scrape(), 'flotilla_agent_connected') === 0 ? true : undefined));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const kube = new InMemoryClusterClient(cluster.cluster);
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'web' };
    const settings = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'settings' };
    const replicas = async (): Promise<number | undefined> => ((await kube.get(web))?.['spec'] as { replicas?: number } | undefined)?.replicas;

    const second = await spawnAgent(options);
    agents.push(second);
    const resumed = await eventually('the restarted agent serving metrics with its persisted bundle', async () => {
      const text = await second.scrape();
      return sample(text, 'flotilla_agent_persisted_bundles') === 1 && (sample(text, 'flotilla_agent_applied_resources', { bundle: 'web' }) ?? 0) === 3 ? text : undefined;
    });
    expect(sample(resumed, 'flotilla_agent_connected')).toBe(0);
    expect(sample(resumed, 'flotilla_agent_hub_orders_total', { kind: 'desired', verdict: 'accepted' })).toBeUndefined();

    // kubectl-edit (a takeover manager) scales the Deployment and rewrites the ConfigMap; another hand deletes nothing.
    await editAs(cluster.kubeconfigPath, 'kubectl-edit', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { replicas: 7 } });
    await editAs(cluster.kubeconfigPath, 'kubectl-edit', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' }, data: { mode: 'hotfix' } });
    await eventually('replicas taken back to 2 from the persisted Desired', async () => ((await replicas()) === 2 ? true : undefined));
    await eventually('the ConfigMap taken back', async () => (((await kube.get(settings))?.['data'] as Record<string, string> | undefined)?.['mode'] === 'live' ? true : undefined));
    const corrected = await eventually('the corrections counted', async () => {
      const text = await second.scrape();
      return (sample(text, 'flotilla_agent_drift_corrections_total', { bundle: 'web' }) ?? 0) >= 2 ? text : undefined;
    });
    expect(sample(corrected, 'flotilla_agent_connected')).toBe(0);
    // Nothing was deleted because the hub is gone.
    expect(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'web' })).toBeDefined();
    expect(await kube.get(web)).toBeDefined();

    // The hub comes back on the same database: the agent reconnects and reports; its Desired is not sent again.
    const restartedAt = Date.now();
    hub = await startHub(config, { logger });
    await eventually('the agent reconnected', async () => (sample(await second.scrape(), 'flotilla_agent_connected') === 1 ? true : undefined));
    const reported = await eventually('a report from the reconnected agent, drift cleared', async () => {
      const found = await row();
      return found?.observedAt && Date.parse(found.observedAt) >= restartedAt - 60_000 && found.driftedFields === 0 && found.phase === 'APPLIED' && found.health === 'HEALTHY' ? found : undefined;
    });
    expect(reported.desiredGeneration).toBe(applied.desiredGeneration);
    expect(reported.reportedGeneration).toBe(applied.desiredGeneration);
    const after = await second.scrape();
    expect(sample(after, 'flotilla_agent_hub_orders_total', { kind: 'desired', verdict: 'accepted' })).toBeUndefined();
    expect(sample(after, 'flotilla_agent_hub_orders_total', { kind: 'desired', verdict: 'duplicate' })).toBeUndefined();
    expect(await replicas()).toBe(2);
  });
});
