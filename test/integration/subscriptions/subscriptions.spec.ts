import { Health, Phase } from '@flotilla/protocol';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { liveSubscribers, Subscriber, untilSubscribed } from '../../support/graphql-subscriber.js';
import { TestAgent, type TestStream } from '../../support/test-agent.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const WEB = {
  'web/flotilla.yaml': 'name: web\nnamespace: web\ntargets: [{selector: {matchLabels: {env: prod}}}]\n',
  'web/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n',
};
const API = {
  'api/flotilla.yaml': `name: api
namespace: api
targets: [{selector: {matchLabels: {ring: first}}}]
rollout:
  waves:
    - {name: first, maxConcurrent: 1}
  bake: 0s
  progressDeadline: 30s
`,
  'api/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 1}\n',
};

interface Connection {
  cluster: string;
  state: string;
  previousState: string | null;
}
interface Deployment {
  bundle: string;
  cluster: string;
  generation: string;
  phase: string;
  health: string;
  previousHealth: string | null;
}
interface Drift {
  bundle: string;
  cluster: string;
  driftedFields: number;
  fighting: boolean;
  cleared: boolean;
}

describe('GraphQL subscriptions over graphql-ws', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let viewerToken: string;
  let viewerTokenId: string;
  let head: string;
  const agents = new Map<string, { agent: TestAgent; stream: TestStream }>();
  const open: Subscriber<never>[] = [];
  let heartbeats: NodeJS.Timeout | undefined;

  const subscribe = <T>(query: string, options: ConstructorParameters<typeof Subscriber>[2] = { token: viewerToken }): Subscriber<T> => {
    const subscriber = new Subscriber<T>(hub.url, query, options);
    open.push(subscriber as Subscriber<never>);
    return subscriber;
  };
  const graphql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await hub.graphql<T>(query, { token: hub.adminToken, variables });
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const connectAgent = async (name: string): Promise<TestStream> => {
    const { registerCluster } = await graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      'mutation($name: String!, $labels: [LabelInput!]) { registerCluster(name: $name, labels: $labels) { bootstrapToken installManifest } }',
      { name, labels: [{ key: 'env', value: 'prod' }, ...(name === 'prod-1' ? [{ key: 'ring', value: 'first' }] : [])] },
    );
    const secret = parseAllDocuments(registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!;
    const agent = await TestAgent.register(hub.hub.registrationPort, secret.stringData!['hub-ca.pem']!, registerCluster.bootstrapToken);
    const stream = agent.connect(hub.hub.grpcPort);
    agents.set(name, { agent, stream });
    await stream.next('welcome');
    return stream;
  };
  const report = (stream: TestStream, bundle: string, generation: bigint, health: Health, driftedFields = 0): void =>
    stream.send({
      $case: 'status',
      value: { bundle, generation, phase: Phase.PHASE_APPLIED, health, terminal: false, drift: { driftedFields, fighting: false }, resources: [], reason: '', observedAtUnixMs: BigInt(Date.now()) },
    });

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    for (const [path, text] of Object.entries({ ...WEB, ...API })) await repo.write(path, text);
    head = await repo.commit('web and api');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '1000' } });
    const created = await graphql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      'mutation { createApiToken(input: {name: "watcher", role: viewer}) { token apiToken { id } } }',
    );
    viewerToken = created.createApiToken.token;
    viewerTokenId = created.createApiToken.apiToken.id;
    // Live agents keep their streams up the way real ones do.
    heartbeats = setInterval(() => {
      for (const { stream } of agents.values()) if (!stream.ended && !stream.error) stream.send({ $case: 'heartbeat', value: { sentAtUnixMs: BigInt(Date.now()) } });
    }, 300);
  });

  afterAll(async () => {
    clearInterval(heartbeats);
    await Promise.all(open.map((subscriber) => subscriber.close()));
    for (const { stream } of agents.values()) stream.close();
    await hub?.close();
    await repo?.destroy();
  });

  it('refuses a connection without a token, or with an unknown one, naming why', async () => {
    const anonymous = subscribe('subscription { clusterConnectionChanged { cluster } }', {});
    expect(await anonymous.closedWith()).toEqual({ code: 4401, reason: expect.stringContaining('an API token is required') });
    const forged = subscribe('subscription { clusterConnectionChanged { cluster } }', { token: 'flt_not-a-real-token' });
    expect(await forged.closedWith()).toEqual({ code: 4401, reason: 'the API token is unknown, revoked or expired' });
    const wrongShape = subscribe('subscription { clusterConnectionChanged { cluster } }', { connectionParams: { authorization: 42 } });
    expect((await wrongShape.closedWith()).code).toBe(4401);
    expect(anonymous.received).toEqual([]);
  });

  it('refuses a malformed filter with a typed error naming the argument', async () => {
    const bad = subscribe('subscription { clusterConnectionChanged(cluster: "Not A Name") { cluster } }');
    const deadline = Date.now() + 10_000;
    while (bad.errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(bad.errors[0]).toMatchObject({ message: expect.stringContaining('cluster: expected a name'), extensions: { code: 'BAD_USER_INPUT', argument: 'cluster' } });
  });

  it('delivers cluster connections, filtered by cluster', async () => {
    const before = await liveSubscribers(hub.url);
    const all = subscribe<Connection>('subscription { clusterConnectionChanged { cluster state previousState } }');
    const onlyTwo = subscribe<Connection>('subscription { clusterConnectionChanged(cluster: "prod-2") { cluster state previousState } }');
    await untilSubscribed(hub.url, before + 2);
    await connectAgent('prod-1');
    await connectAgent('prod-2');
    expect(await all.next((e) => e.cluster === 'prod-1')).toEqual({ cluster: 'prod-1', state: 'Connected', previousState: null });
    expect(await all.next((e) => e.cluster === 'prod-2')).toMatchObject({ cluster: 'prod-2', state: 'Connected' });
    expect(await onlyTwo.next()).toMatchObject({ cluster: 'prod-2', state: 'Connected' });
    agents.get('prod-2')!.stream.close();
    expect(await onlyTwo.next()).toEqual({ cluster: 'prod-2', state: 'Disconnected', previousState: 'Connected' });
    expect(onlyTwo.received.every((e) => e.cluster === 'prod-2')).toBe(true);
  });

  it('delivers new revisions, bundle deployment changes, drift and rollout progress, each filtered', async () => {
    const before = await liveSubscribers(hub.url);
    const revisions = subscribe<{ sha: string; source: string; sourceId: string }>('subscription { revisionAdded { sha source sourceId message } }');
    const otherSource = subscribe<unknown>('subscription { revisionAdded(sourceId: "00000000-0000-4000-8000-000000000000") { sha } }');
    const web = subscribe<Deployment>('subscription { bundleDeploymentChanged(bundle: "web", cluster: "prod-1") { bundle cluster generation phase health previousHealth } }');
    const elsewhere = subscribe<Deployment>('subscription { bundleDeploymentChanged(cluster: "prod-9") { bundle } }');
    const drift = subscribe<Drift>('subscription { driftDetected(bundle: "web") { bundle cluster driftedFields fighting cleared } }');
    const rollouts = subscribe<{ kind: string; bundle: string; phase: string; waveName: string | null; rolloutId: string }>(
      'subscription { rolloutProgress(bundle: "api") { kind bundle phase waveName rolloutId } }',
    );
    const otherRollout = subscribe<unknown>('subscription { rolloutProgress(rolloutId: "999999") { kind } }');
    await untilSubscribed(hub.url, before + 7);

    const { addSource } = await graphql<{ addSource: { source: { id: string } } }>(
      'mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }',
      { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    );
    expect(await revisions.next()).toMatchObject({ sha: head, source: 'fleet', sourceId: addSource.source.id });

    // The agent of prod-1 reports what it was sent; the real ingester writes it, the triggers turn it into events.
    const stream = agents.get('prod-1')!.stream;
    const desired = await stream.next('desired');
    const bundle = desired.bundle;
    const other = bundle === 'web' ? 'api' : 'web';
    const second = await stream.next('desired');
    expect(second.bundle).toBe(other);
    const webGeneration = bundle === 'web' ? desired.generation : second.generation;
    const apiGeneration = bundle === 'api' ? desired.generation : second.generation;
    report(stream, 'web', webGeneration, Health.HEALTH_PROGRESSING);
    report(stream, 'api', apiGeneration, Health.HEALTH_HEALTHY);
    expect(await web.next()).toEqual({ bundle: 'web', cluster: 'prod-1', generation: webGeneration.toString(), phase: 'APPLIED', health: 'PROGRESSING', previousHealth: null });
    report(stream, 'web', webGeneration, Health.HEALTH_HEALTHY, 3);
    expect(await web.next()).toMatchObject({ health: 'HEALTHY', previousHealth: 'PROGRESSING' });
    expect(await drift.next()).toEqual({ bundle: 'web', cluster: 'prod-1', driftedFields: 3, fighting: false, cleared: false });
    report(stream, 'web', webGeneration, Health.HEALTH_HEALTHY, 0);
    expect(await drift.next()).toEqual({ bundle: 'web', cluster: 'prod-1', driftedFields: 0, fighting: false, cleared: true });

    expect(await rollouts.next((e) => e.kind === 'rollout.started')).toMatchObject({ bundle: 'api', phase: 'Progressing', waveName: 'first' });
    expect(await rollouts.next((e) => e.kind === 'rollout.phase-changed', 20_000)).toMatchObject({ bundle: 'api', phase: 'Succeeded' });

    // Filters: nothing of another source, cluster or rollout arrived, and the drift feed saw only web.
    expect(otherSource.received).toEqual([]);
    expect(elsewhere.received).toEqual([]);
    expect(otherRollout.received).toEqual([]);
    expect(drift.received.every((e) => e.bundle === 'web')).toBe(true);
    expect(web.received.every((e) => e.bundle === 'web' && e.cluster === 'prod-1')).toBe(true);
  });

  it('closes the socket when its token is revoked while connected', async () => {
    const before = await liveSubscribers(hub.url);
    const watcher = subscribe<Connection>('subscription { clusterConnectionChanged { cluster state } }');
    await untilSubscribed(hub.url, before + 1);
    while (!watcher.connected) await new Promise((resolve) => setTimeout(resolve, 10));
    await graphql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: viewerTokenId });
    expect(await watcher.closedWith(5_000)).toEqual({ code: 4401, reason: 'the API token was revoked' });
    const again = subscribe('subscription { clusterConnectionChanged { cluster } }', { token: viewerToken });
    expect((await again.closedWith()).code).toBe(4401);
  });
});
