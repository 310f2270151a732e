import { Health, Phase } from '@flotilla/protocol';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { TestAgent, type TestStream } from '../../support/test-agent.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const FRESH_MS = 2_000;

interface Fleet {
  fleet: { bundleDeployments: number; bundleDeploymentsByHealth: { value: string; count: number }[]; bundleDeploymentsByPhase: { value: string; count: number }[]; drifted: number };
}

/**
 * The fleet summary is served from the hub's last count (up to 1.5 s old, recounted as it is asked for), so it must follow
 * what agents report: a status sent over the agent stream shows in the summary within 2 s.
 */
describe('the fleet summary is fresh to within 2 s of ingested status', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let stream: TestStream | undefined;

  const fleet = async (): Promise<Fleet['fleet']> => {
    const result = await hub.graphql<Fleet>('{ fleet { bundleDeployments bundleDeploymentsByHealth { value count } bundleDeploymentsByPhase { value count } drifted } }', {
      token: hub.adminToken,
    });
    expect(result.errors).toBeUndefined();
    return result.data!.fleet;
  };
  /** Polls the summary until `check` holds; answers how long that took, failing at twice the bound so the figure shows. */
  const elapsedUntil = async (check: (summary: Fleet['fleet']) => boolean): Promise<number> => {
    const started = Date.now();
    while (!check(await fleet())) {
      if (Date.now() - started > 2 * FRESH_MS) throw new Error(`the summary did not change within ${2 * FRESH_MS} ms: ${JSON.stringify(await fleet())}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - started;
  };

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {matchLabels: {env: prod}}}]\n');
    await repo.write('web/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n');
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const added = await hub.graphql('mutation($input: AddSourceInput!) { addSource(input: $input) { source { lastError } } }', {
      token: hub.adminToken,
      variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    });
    expect(added.errors).toBeUndefined();
  });
  afterAll(async () => {
    stream?.close();
    await hub?.close();
    await repo?.destroy();
  });

  it('shows an agent status sent over the stream within 2 s, and the next one too', async () => {
    const registered = await hub.graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      'mutation { registerCluster(name: "prod-1", labels: [{key: "env", value: "prod"}]) { bootstrapToken installManifest } }',
      { token: hub.adminToken },
    );
    const secret = parseAllDocuments(registered.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!;
    const agent = await TestAgent.register(hub.hub.registrationPort, secret.stringData!['hub-ca.pem']!, registered.data!.registerCluster.bootstrapToken);
    stream = agent.connect(hub.hub.grpcPort);
    const desired = await stream.next('desired');

    // Asked once before the report: the hub now holds a count it may answer from.
    expect(await fleet()).toMatchObject({ bundleDeployments: 1, bundleDeploymentsByHealth: [{ value: 'NONE', count: 1 }], drifted: 0 });

    const status = (health: Health, driftedFields: number) => ({
      $case: 'status' as const,
      value: { bundle: 'web', generation: desired.generation, phase: Phase.PHASE_APPLIED, health, terminal: false, drift: { driftedFields, fighting: false }, resources: [], reason: '', observedAtUnixMs: BigInt(Date.now()) },
    });
    stream.send(status(Health.HEALTH_HEALTHY, 0));
    const healthyMs = await elapsedUntil((summary) => summary.bundleDeploymentsByHealth.some((c) => c.value === 'HEALTHY' && c.count === 1));
    expect(healthyMs).toBeLessThan(FRESH_MS);
    expect(await fleet()).toMatchObject({ bundleDeploymentsByPhase: [{ value: 'APPLIED', count: 1 }] });

    stream.send(status(Health.HEALTH_DEGRADED, 2));
    const driftMs = await elapsedUntil((summary) => summary.drifted === 1 && summary.bundleDeploymentsByHealth.some((c) => c.value === 'DEGRADED'));
    expect(driftMs).toBeLessThan(FRESH_MS);

    // The same summary on /metrics, for dashboards and alerts.
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/^flotilla_clusters\{state="Connected"\} 1$/m);
    expect(metrics).toMatch(/^flotilla_bundle_deployments\{health="DEGRADED"\} 1$/m);
    expect(metrics).toMatch(/^flotilla_bundle_deployments_by_phase\{phase="APPLIED"\} 1$/m);
    expect(metrics).toMatch(/^flotilla_bundle_deployments_drifted 1$/m);
    expect(metrics).not.toMatch(/^flotilla_bundle_deployments\{health="HEALTHY"\}/m);
  });
});
