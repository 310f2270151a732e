import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryClusterClient, KubeSimServer } from '@flotilla/kube-sim';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { eventually, spawnAgent, type AgentProcess } from '../agent-process/agent-process.support.js';

const SPEC = (onFailure: 'rollback' | 'pause') => `name: web
namespace: web
targets: [{selector: {matchLabels: {env: prod}}}]
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: rest, maxConcurrent: 100%}
  bake: 500ms
  progressDeadline: 6s
  maxFailures: 0
  onFailure: ${onFailure}
`;

/** A Deployment; `stuck` makes kube-sim's controller never report it available (its fault-injection annotation). */
const DEPLOYMENT = (version: string, stuck = false) => `apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {${stuck ? '"kube-sim.flotilla.dev/never-ready": "true"' : ''}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:${version}"}]}
`;

interface Row {
  cluster: string;
  desiredHash: string | null;
  desiredGeneration: string | null;
  reportedGeneration: string | null;
  health: string | null;
  phase: string | null;
}

/**
 * The acceptance test of progressive rollouts: real agent processes, each applying through
 * @kubernetes/client-node to its own kube-sim API server, with a hub in this process.
 */
describe('rollouts with real agents against kube-sim', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let dir: string;
  const clusters = new Map<string, KubeSimServer>();
  const agents: AgentProcess[] = [];
  let v1Hash = '';

  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await hub.graphql<T>(query, { token: hub.adminToken, variables });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const rows = async (): Promise<Row[]> =>
    (
      await gql<{ bundleDeployments: { nodes: Row[] } }>(
        '{ bundleDeployments(bundle: "web", first: 50) { nodes { cluster desiredHash desiredGeneration reportedGeneration health phase } } }',
      )
    ).bundleDeployments.nodes;
  const latest = async () => {
    const list = await gql<{ rollouts: { nodes: { id: string }[] } }>('{ rollouts(bundle: "web", first: 1) { nodes { id } } }');
    const id = list.rollouts.nodes[0]?.id;
    if (!id) return undefined;
    return (
      await gql<{ rollout: { id: string; phase: string; reason: string | null; revision: string; waves: { name: string; members: { cluster: string; state: string }[] }[] } }>(
        'query($id: ID!) { rollout(id: $id) { id phase reason revision waves { name members { cluster state } } } }',
        { id },
      )
    ).rollout;
  };
  const image = async (cluster: string) => {
    const object = await new InMemoryClusterClient(clusters.get(cluster)!.cluster).get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'web' });
    return (object?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers[0]?.image;
  };
  const sync = async () => {
    const sources = await gql<{ sources: { nodes: { id: string }[] } }>('{ sources { nodes { id } } }');
    await gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: sources.sources.nodes[0]!.id });
  };

  /** Registers a cluster through the API and starts its agent process against a fresh kube-sim. */
  const join_ = async (name: string, labels: Record<string, string>) => {
    const registered = await gql<{ registerCluster: { installManifest: string } }>('mutation($name: String!, $labels: [LabelInput!]) { registerCluster(name: $name, labels: $labels) { installManifest } }', {
      name,
      labels: Object.entries(labels).map(([key, value]) => ({ key, value })),
    });
    const secret = parseAllDocuments(registered.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!;
    const home = join(dir, name);
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'hub-ca.pem'), secret['hub-ca.pem']!);
    await writeFile(join(home, 'bootstrap-token'), secret['bootstrap-token']!);
    const cluster = await KubeSimServer.start({ controllerDelayMs: 100 });
    clusters.set(name, cluster);
    agents.push(
      await spawnAgent({
        hubGrpcPort: hub.hub.grpcPort,
        hubRegistrationPort: hub.hub.registrationPort,
        hubCaFile: join(home, 'hub-ca.pem'),
        bootstrapTokenFile: join(home, 'bootstrap-token'),
        stateDir: join(home, 'state'),
        kubeconfigPath: cluster.kubeconfigPath,
        home,
      }),
    );
  };

  const allHealthyAt = async (names: readonly string[], hash?: string) => {
    const current = await rows();
    return names.every((name) => {
      const row = current.find((r) => r.cluster === name);
      return row && row.health === 'HEALTHY' && row.phase === 'APPLIED' && row.reportedGeneration === row.desiredGeneration && (hash === undefined || row.desiredHash === hash);
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-rollout-agents-'));
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', SPEC('rollback'));
    await repo.write('web/all.yaml', DEPLOYMENT('1'));
    await repo.commit('v1');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '500' } });
    await join_('canary', { env: 'prod', canary: 'true' });
    await join_('east', { env: 'prod' });
    await join_('west', { env: 'prod' });
    await gql('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', { i: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } });
  });

  afterAll(async () => {
    for (const agent of agents) agent.child.kill('SIGKILL');
    await Promise.all(agents.map((agent) => agent.exited));
    for (const cluster of clusters.values()) await cluster.close();
    await hub?.close();
    await repo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rolls v1 out to every cluster, healthy in its cluster', async () => {
    await eventually('v1 Succeeded and Healthy everywhere', async () => ((await latest())?.phase === 'Succeeded' && (await allHealthyAt(['canary', 'east', 'west'])) ? true : undefined), 60_000);
    v1Hash = (await rows())[0]!.desiredHash!;
    expect(new Set((await rows()).map((r) => r.desiredHash))).toEqual(new Set([v1Hash]));
    for (const name of ['canary', 'east', 'west']) expect(await image(name)).toBe('web:1');
  });

  it('a canary whose Deployment never becomes available rolls back after the deadline; the canary runs v1 Healthy again', async () => {
    await repo.write('web/all.yaml', DEPLOYMENT('2', true));
    const v2 = await repo.commit('v2: never available');
    await sync();
    await eventually('the v2 canary to run the stuck Deployment', async () => ((await image('canary')) === 'web:2' ? true : undefined), 30_000);
    expect(await image('east')).toBe('web:1'); // the rest waits for the canary
    const rolledBack = await eventually('the v2 rollout to roll back', async () => {
      const view = await latest();
      return view?.revision === v2 && view.phase === 'RolledBack' ? view : undefined;
    }, 40_000);
    expect(rolledBack.reason).toContain('not done within the progress deadline');
    expect(rolledBack.waves[0]!.members).toEqual([{ cluster: 'canary', state: 'RolledBack' }]);
    await eventually('every touched cluster reports v1 Healthy again', async () => ((await allHealthyAt(['canary', 'east', 'west'], v1Hash)) ? true : undefined), 30_000);
    for (const name of ['canary', 'east', 'west']) expect(await image(name)).toBe('web:1');
  });

  it('a cluster registered after the rollback receives the last good content and runs it Healthy', async () => {
    await join_('late', { env: 'prod' });
    await eventually('late to run v1 Healthy', async () => ((await allHealthyAt(['late'], v1Hash)) ? true : undefined), 60_000);
    expect(await image('late')).toBe('web:1');
  });

  it('with onFailure: pause, the same failure pauses the rollout and rolls nothing back', async () => {
    await repo.write('web/flotilla.yaml', SPEC('pause'));
    await repo.write('web/all.yaml', DEPLOYMENT('3', true));
    const v3 = await repo.commit('v3: never available, pause on failure');
    await sync();
    const paused = await eventually('the v3 rollout to pause', async () => {
      const view = await latest();
      return view?.revision === v3 && view.phase === 'Paused' ? view : undefined;
    }, 40_000);
    expect(paused.reason).toContain('not done within the progress deadline');
    expect(paused.waves[0]!.members).toEqual([{ cluster: 'canary', state: 'Failed' }]);
    const canaryImage = await image('canary');
    if (canaryImage !== 'web:3') throw new Error(`the canary runs ${canaryImage}; rows ${JSON.stringify(await rows())}; its agent said:\n${agents[0]!.output().slice(-6000)}`);
    for (const name of ['east', 'west', 'late']) expect(await image(name)).toBe('web:1');
  });
});
