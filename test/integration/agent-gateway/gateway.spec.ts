import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority, clusterIdentityUri, createKeyAndCsr } from '@flotilla/pki';
import { AgentGatewayServiceClient, MAX_AGENT_MESSAGE_BYTES, PROTOCOL_VERSION } from '@flotilla/protocol';
import { Health, Phase } from '@flotilla/protocol';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { sha256Hash, TestAgent, type TestStream } from '../../support/test-agent.js';
import { queryRows } from '../../support/test-database.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { until } from '../../support/until.js';

const HEARTBEAT_MS = 200;

function bundle(name: string, replicas: number): Record<string, string> {
  return {
    [`${name}/flotilla.yaml`]: `name: ${name}\nnamespace: ${name}\ntargets: [{selector: {matchLabels: {env: prod}}}]\n`,
    [`${name}/deploy.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {replicas: ${replicas}}\n`,
  };
}

describe('the agent stream', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let sourceId: string;
  let caPem: string;
  const streams: TestStream[] = [];

  const sql = (text: string, params: unknown[] = []) => queryRows(hub.database, text, params);
  const commit = async (files: Record<string, string>, message: string): Promise<void> => {
    for (const [path, text] of Object.entries(files)) await repo.write(path, text);
    await repo.commit(message);
    const synced = await hub.graphql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { token: hub.adminToken, variables: { id: sourceId } });
    expect(synced.errors).toBeUndefined();
  };
  const newAgent = async (name: string): Promise<TestAgent> => {
    const result = await hub.graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      'mutation($name: String!) { registerCluster(name: $name, labels: [{key: "env", value: "prod"}]) { bootstrapToken installManifest } }',
      { token: hub.adminToken, variables: { name } },
    );
    const secret = parseAllDocuments(result.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!;
    caPem = secret.stringData!['hub-ca.pem']!;
    return TestAgent.register(hub.hub.registrationPort, caPem, result.data!.registerCluster.bootstrapToken);
  };
  const open = (agent: TestAgent, known: Parameters<TestAgent['connect']>[1] = []): TestStream => {
    const stream = agent.connect(hub.hub.grpcPort, known);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    for (const [path, text] of Object.entries(bundle('web', 2))) await repo.write(path, text);
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) } });
    const added = await hub.graphql<{ addSource: { source: { id: string } } }>('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      token: hub.adminToken,
      variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    });
    sourceId = added.data!.addSource.source.id;
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await hub?.close();
    await repo?.destroy();
  });

  it('delivers what a new agent lacks, verifiably, and ingests its ack and status', async () => {
    const agent = await newAgent('prod-1');
    const stream = open(agent);
    const welcome = await stream.next('welcome');
    expect(welcome).toMatchObject({ clusterUid: agent.clusterUid, heartbeatIntervalMs: HEARTBEAT_MS });
    const desired = await stream.next('desired');
    expect(desired.bundle).toBe('web');
    expect(sha256Hash(desired.contentJson)).toBe(desired.hash);
    expect(JSON.parse(desired.contentJson).manifests[0]).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'web' } });
    const row = (await sql(`SELECT desired_generation::text AS g, desired_hash FROM bundle_deployments WHERE cluster_id = $1`, [agent.clusterUid]))[0]!;
    expect(desired.generation).toBe(BigInt(row.g as string));
    expect(desired.hash).toBe(row.desired_hash);

    stream.send({ $case: 'ack', value: { bundle: 'web', generation: desired.generation } });
    stream.send({
      $case: 'status',
      value: { bundle: 'web', generation: desired.generation, phase: Phase.PHASE_APPLIED, health: Health.HEALTH_HEALTHY, terminal: false, drift: { driftedFields: 0, fighting: false }, resources: [], reason: '', observedAtUnixMs: BigInt(Date.now()) },
    });
    await until(async () => (await sql(`SELECT phase, health, acked_generation::text AS a FROM bundle_statuses WHERE cluster_id = $1`, [agent.clusterUid]))[0]?.health === 'HEALTHY', 'the status', 10_000);
    const status = (await sql(`SELECT phase, health, acked_generation::text AS a FROM bundle_statuses WHERE cluster_id = $1`, [agent.clusterUid]))[0]!;
    expect(status).toEqual({ phase: 'APPLIED', health: 'HEALTHY', a: desired.generation.toString() });
    const viaApi = await hub.graphql<{ cluster: { connection: { state: string; agentVersion: string; kubernetesVersion: string } } }>(
      '{ cluster(name: "prod-1") { connection { state agentVersion kubernetesVersion } } }',
      { token: hub.adminToken },
    );
    expect(viaApi.data?.cluster.connection).toEqual({ state: 'Connected', agentVersion: 'test', kubernetesVersion: 'v1.35.0' });
    const deployments = await hub.graphql<{ bundleDeployments: { nodes: { ackedGeneration: string; phase: string; health: string }[] } }>(
      '{ bundleDeployments(cluster: "prod-1") { nodes { ackedGeneration phase health } } }',
      { token: hub.adminToken },
    );
    expect(deployments.data?.bundleDeployments.nodes).toEqual([{ ackedGeneration: desired.generation.toString(), phase: 'APPLIED', health: 'HEALTHY' }]);

    // A stale status (an older generation) never overwrites newer state; a marker after it shows it was processed.
    stream.send({ $case: 'status', value: { bundle: 'web', generation: desired.generation - 1n, phase: Phase.PHASE_FAILED, health: Health.HEALTH_DEGRADED, terminal: true, drift: undefined, resources: [], reason: 'stale', observedAtUnixMs: 0n } });
    await until(async () => (await sql(`SELECT count(*)::int AS n FROM bundle_statuses WHERE cluster_id = $1`, [agent.clusterUid]))[0]!.n === 1, 'the row', 10_000);
    stream.send({ $case: 'status', value: { bundle: 'web', generation: desired.generation, phase: Phase.PHASE_APPLIED, health: Health.HEALTH_PROGRESSING, terminal: false, drift: undefined, resources: [], reason: 'marker', observedAtUnixMs: 0n } });
    await until(async () => (await sql(`SELECT reason FROM bundle_statuses WHERE cluster_id = $1`, [agent.clusterUid]))[0]!.reason === 'marker', 'the marker', 10_000);
    const history = await sql(`SELECT health, reason FROM bundle_status_history WHERE cluster_id = $1 ORDER BY id`, [agent.clusterUid]);
    expect(history).toEqual([{ health: 'HEALTHY', reason: '' }, { health: 'PROGRESSING', reason: 'marker' }]);
    stream.close();
  });

  it('resumes without re-sending what the agent holds, and pushes changes at once', async () => {
    const agent = await newAgent('prod-2');
    const first = open(agent);
    await first.next('welcome');
    const web = await first.next('desired');
    first.close();

    const again = open(agent, [{ bundle: 'web', generation: web.generation, hash: web.hash, removed: false }]);
    await again.next('welcome');
    // Heartbeats as a real agent sends them: a commit on a loaded machine can outlast 3 × 200 ms.
    const heartbeats = setInterval(() => again.send({ $case: 'heartbeat', value: { sentAtUnixMs: BigInt(Date.now()) } }), HEARTBEAT_MS / 2);
    try {
      await commit(bundle('api', 1), 'add api');
      const next = await again.next('desired');
      expect(next.bundle).toBe('api'); // not web again
      await commit(bundle('web', 3), 'scale web');
      const changed = await again.next('desired');
      expect(changed.bundle).toBe('web');
      expect(changed.generation).toBeGreaterThan(web.generation);
    } finally {
      clearInterval(heartbeats);
    }
    again.close();
  });

  it('replaces an older stream of the same cluster', async () => {
    const agent = await newAgent('prod-3');
    const one = open(agent);
    await one.next('welcome');
    const two = open(agent);
    await two.next('welcome');
    expect((await one.closedWith()).code).toBe(grpc.status.ABORTED);
    two.close();
  });

  it('marks a silent cluster Disconnected within three heartbeats', async () => {
    const agent = await newAgent('prod-4');
    const stream = open(agent);
    await stream.next('welcome');
    const state = async () => (await sql(`SELECT state FROM cluster_connections WHERE cluster_id = $1`, [agent.clusterUid]))[0]?.state;
    expect(await state()).toBe('Connected');
    const started = Date.now();
    await until(async () => (await state()) === 'Disconnected', 'Disconnected', 5_000);
    expect(Date.now() - started).toBeLessThan(HEARTBEAT_MS * 3 + 1_000);
    expect((await stream.closedWith()).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('never issues a generation at or below one an agent reports', async () => {
    const agent = await newAgent('prod-5');
    const stream = open(agent, [{ bundle: 'web', generation: 1_000_000n, hash: 'sha256:something-else', removed: false }]);
    await stream.next('welcome');
    const desired = await stream.next('desired');
    expect(desired.bundle).toBe('web');
    expect(desired.generation).toBeGreaterThan(1_000_000n);
    stream.close();
  });

  it('closes the stream of a deregistered cluster and refuses it afterwards', async () => {
    const agent = await newAgent('prod-6');
    const stream = open(agent);
    await stream.next('welcome');
    const deleted = await hub.graphql('mutation { deleteCluster(name: "prod-6") { id } }', { token: hub.adminToken });
    expect(deleted.errors).toBeUndefined();
    expect((await stream.closedWith()).code).toBe(grpc.status.UNAUTHENTICATED);
    const retry = open(agent);
    const refused = await retry.closedWith();
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(refused.details).toContain('deregistered');
  });

  it('insists on Hello first', async () => {
    const agent = await newAgent('prod-7');
    const rude = agent.connect(hub.hub.grpcPort, null);
    streams.push(rude);
    rude.send({ $case: 'heartbeat', value: { sentAtUnixMs: 0n } });
    const error = await rude.closedWith();
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toContain('the first message of a stream must be Hello');
  });

  it('refuses a message over the size limit, and stays up for everyone else', async () => {
    const agent = await newAgent('prod-8');
    const stream = open(agent);
    await stream.next('welcome');
    stream.send({ $case: 'status', value: { bundle: 'x'.repeat(MAX_AGENT_MESSAGE_BYTES + 1), generation: 1n, phase: 0, health: 0, terminal: false, drift: undefined, resources: [], reason: '', observedAtUnixMs: 0n } });
    expect((await stream.closedWith()).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const again = open(agent);
    await again.next('welcome');
    again.close();
  });

  it('refuses a client certificate from another CA, naming that cluster', async () => {
    const agent = await newAgent('prod-9');
    const stranger = await CertificateAuthority.create({ commonName: 'stranger' });
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=x');
    const forged = await stranger.signCsr(csrPem, { subject: 'CN=x', usage: 'client', validityMs: 3_600_000, uris: [clusterIdentityUri(agent.clusterUid)] });
    const client = new AgentGatewayServiceClient(
      `127.0.0.1:${hub.hub.grpcPort}`,
      grpc.credentials.createSsl(Buffer.from(caPem), Buffer.from(privateKeyPem), Buffer.from(forged.certificatePem)),
      { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    const call = client.connect();
    call.write({ seq: 1n, body: { $case: 'hello', value: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'x', capabilities: [], known: [], kubernetesVersion: '' } } });
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    client.close();
  });

  it('negotiates HTTP/2 only, in the TLS handshake', async () => {
    // The ALPN callback picks h2 when offered; a client offering something else gets the handshake's alert.
    const handshake = (protocols: string[]) =>
      new Promise<{ alpn: string | false | null | undefined; error: string | undefined }>((resolve) => {
        const socket = connectTls({ port: hub.hub.grpcPort, host: '127.0.0.1', servername: 'localhost', ca: caPem, ALPNProtocols: protocols }, () => {
          resolve({ alpn: socket.alpnProtocol, error: undefined });
          socket.destroy();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve({ alpn: undefined, error: error.code }));
      });
    expect(await handshake(['http/1.1'])).toEqual({ alpn: undefined, error: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' });
    expect(await handshake(['http/1.1', 'h2'])).toEqual({ alpn: 'h2', error: undefined });
  });

  it('survives garbage bytes on its port', async () => {
    await new Promise<void>((resolve) => {
      const socket = connectTcp(hub.hub.grpcPort, '127.0.0.1', () => socket.end(Buffer.alloc(8192, 0x5a)));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const agent = await newAgent('prod-10');
    const stream = open(agent);
    expect((await stream.next('welcome')).clusterUid).toBe(agent.clusterUid);
    stream.close();
  });
});
