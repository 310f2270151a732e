import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryClusterClient, KubeSimServer } from '@flotilla/kube-sim';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { eventually, sample, spawnAgent, type AgentProcess } from './agent-process.support.js';
import { editAs } from './kube-edit.support.js';

const GIZMO_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gizmos.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
  },
};

/** The agent as it runs in a cluster: its own process, configured from its bootstrap Secret's files. */
describe('the agent process', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let cluster: KubeSimServer;
  let dir: string;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {}}]\n');
    // A Gizmo: a custom resource of a CRD installed outside the bundle, so the hub cannot know it is namespaced.
    await repo.write(
      'web/all.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {from: "{{ cluster.name }}"}\n---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g1}\nspec: {size: 3}\n',
    );
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '500' } });
    await hub.graphql('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', { token: hub.adminToken, variables: { i: { name: 'fleet', url: repo.url, ref: 'main' } } });
    cluster = await KubeSimServer.start();
    await new InMemoryClusterClient(cluster.cluster).apply(GIZMO_CRD, { fieldManager: 'kubectl' });
    dir = await mkdtemp(join(tmpdir(), 'flotilla-agent-process-'));
  });

  /** Registers a cluster and returns the values of its bootstrap Secret, as the install manifest holds them. */
  const registerCluster = async (name: string): Promise<Record<string, string>> => {
    const registered = await hub.graphql<{ registerCluster: { installManifest: string } }>('mutation($name: String!) { registerCluster(name: $name) { installManifest } }', {
      token: hub.adminToken,
      variables: { name },
    });
    return parseAllDocuments(registered.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!;
  };

  afterAll(async () => {
    agent?.child.kill('SIGKILL');
    await cluster?.close();
    await hub?.close();
    await repo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers, receives its bundle, applies it to the cluster, reports Healthy, counts it in /metrics, corrects drift, and stops on SIGTERM', async () => {
    const secret = await registerCluster('edge-1');
    await writeFile(join(dir, 'hub-ca.pem'), secret['hub-ca.pem']!);
    await writeFile(join(dir, 'bootstrap-token'), secret['bootstrap-token']!);
    const startedAt = Date.now() / 1000;
    agent = await spawnAgent({
      hubGrpcPort: hub.hub.grpcPort,
      hubRegistrationPort: hub.hub.registrationPort,
      hubCaFile: join(dir, 'hub-ca.pem'),
      bootstrapTokenFile: join(dir, 'bootstrap-token'),
      stateDir: join(dir, 'state'),
      kubeconfigPath: cluster.kubeconfigPath,
      home: dir,
    });

    const row = await eventually('edge-1 reported Applied and Healthy at its desired generation', async () => {
      const result = await hub.graphql<{ bundleDeployments: { nodes: { phase: string | null; health: string | null; reportedGeneration: string | null; desiredGeneration: string | null }[] } }>(
        '{ bundleDeployments(cluster: "edge-1") { nodes { phase health reportedGeneration desiredGeneration } } }',
        { token: hub.adminToken },
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      const found = result.data?.bundleDeployments.nodes[0];
      return found?.phase === 'APPLIED' && found.health === 'HEALTHY' && found.reportedGeneration === found.desiredGeneration ? found : undefined;
    });
    expect(row.reportedGeneration).not.toBeNull();
    const kube = new InMemoryClusterClient(cluster.cluster);
    const hello = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'hello' };
    expect(await kube.get(hello)).toMatchObject({ data: { from: 'edge-1' } });
    // The bundle's default namespace reached the agent (inside the hashed content) and placed the Gizmo there, not in `default`.
    expect(await kube.get({ apiVersion: 'example.com/v1', kind: 'Gizmo', namespace: 'web', name: 'g1' })).toMatchObject({ spec: { size: 3 } });
    expect(await kube.get({ apiVersion: 'example.com/v1', kind: 'Gizmo', namespace: 'default', name: 'g1' })).toBeUndefined();

    // The metrics of what just happened, with their values — not only their names.
    const metrics = await eventually('the agent metrics after the first reconcile', async () => {
      const text = await agent!.scrape();
      return sample(text, 'flotilla_agent_connected') === 1 && (sample(text, 'flotilla_agent_applied_resources', { bundle: 'web' }) ?? 0) === 3 ? text : undefined;
    });
    expect(sample(metrics, 'flotilla_agent_persisted_bundles')).toBe(1);
    expect(sample(metrics, 'flotilla_agent_drifted_resources', { bundle: 'web' })).toBe(0);
    expect(sample(metrics, 'flotilla_agent_hub_orders_total', { kind: 'desired', verdict: 'accepted' })).toBe(1);
    expect(sample(metrics, 'flotilla_agent_reconcile_duration_seconds_count', { bundle: 'web', kind: 'full', result: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'flotilla_agent_reconcile_duration_seconds_sum', { bundle: 'web', kind: 'full', result: 'success' })).toBeGreaterThan(0);
    const lastSuccess = sample(metrics, 'flotilla_agent_last_successful_reconcile_timestamp_seconds', { bundle: 'web' })!;
    expect(lastSuccess).toBeGreaterThanOrEqual(Math.floor(startedAt));
    expect(sample(metrics, 'flotilla_agent_drift_corrections_total', { bundle: 'web' }) ?? 0).toBe(0);

    // kubectl-edit (a takeover manager) changes a managed field: the agent takes it back and counts it.
    await editAs(cluster.kubeconfigPath, 'kubectl-edit', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello', namespace: 'web' }, data: { from: 'tampered' } });
    const corrected = await eventually('the drift correction counted', async () => {
      const text = await agent!.scrape();
      return (sample(text, 'flotilla_agent_drift_corrections_total', { bundle: 'web' }) ?? 0) >= 1 ? text : undefined;
    });
    expect((await kube.get(hello))?.data).toEqual({ from: 'edge-1' });
    expect(sample(corrected, 'flotilla_agent_reconcile_duration_seconds_count', { bundle: 'web', kind: 'drift', result: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(corrected, 'flotilla_agent_last_successful_reconcile_timestamp_seconds', { bundle: 'web' })).toBeGreaterThanOrEqual(lastSuccess);

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.output()).toContain('agent ready');
  });

  it('keeps its identity in a Secret: moved to a node with an empty state volume, it reconnects without registering again', async () => {
    const secret = await registerCluster('edge-2');
    await writeFile(join(dir, 'edge-2-token'), secret['bootstrap-token']!);
    const kube = new InMemoryClusterClient(cluster.cluster);
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-system' } }, { fieldManager: 'kubectl' });
    const start = (volume: string) =>
      spawnAgent({
        hubGrpcPort: hub.hub.grpcPort,
        hubRegistrationPort: hub.hub.registrationPort,
        hubCaFile: join(dir, 'hub-ca.pem'),
        bootstrapTokenFile: join(dir, 'edge-2-token'),
        stateDir: join(dir, volume),
        kubeconfigPath: cluster.kubeconfigPath,
        home: dir,
        env: { FLOTILLA_AGENT_IDENTITY_STORE: 'secret', FLOTILLA_AGENT_NAMESPACE: 'edge-system' },
      });
    const connected = async (process: AgentProcess) => eventually('the agent connected', async () => (sample(await process.scrape(), 'flotilla_agent_connected') === 1 ? true : undefined));

    agent = await start('volume-1');
    await connected(agent);
    expect(agent.output()).toContain('registered as cluster');
    const stored = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'edge-system', name: 'flotilla-agent-identity' });
    expect(Object.keys(stored!.data as object).sort()).toEqual(['ca.crt', 'cluster-uid', 'tls.crt', 'tls.key']);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);

    // A new, empty volume: the bootstrap token is spent, so only the identity in the Secret can bring it back.
    agent = await start('volume-2');
    await connected(agent);
    expect(agent.output()).not.toContain('registered as cluster');
    await eventually('edge-2 Applied and Healthy again from the re-sent desired state', async () => {
      const result = await hub.graphql<{ bundleDeployments: { nodes: { phase: string | null; health: string | null }[] } }>(
        '{ bundleDeployments(cluster: "edge-2") { nodes { phase health } } }',
        { token: hub.adminToken },
      );
      const found = result.data?.bundleDeployments.nodes[0];
      return found?.phase === 'APPLIED' && found.health === 'HEALTHY' ? true : undefined;
    });
    // The inventory follows the namespace too.
    expect((await kube.list('v1', 'ConfigMap', { namespace: 'edge-system' })).items.length).toBeGreaterThan(0);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});
