import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
// @grpc/proto-loader comes with @grpc/grpc-js; it loads the older message set from its .proto at run time.
import { loadSync } from '@grpc/proto-loader';
import { createKeyAndCsr } from '@flotilla/pki';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { queryRows } from '../../support/test-database.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { until } from '../../support/until.js';

const OLD_PROTO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'protocol', 'agent-v0.proto');
const TLS_OPTIONS = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost', 'grpc.use_local_subchannel_pool': 1 };

/** Messages as the older message set decodes them (proto-loader: 64-bit integers as strings, enums as names). */
interface OldHubMessage {
  readonly body: 'welcome' | 'desired' | 'remove' | 'syncNow' | 'ping';
  readonly welcome?: { protocolVersion: number; clusterUid: string };
  readonly desired?: { bundle: string; generation: string; hash: string; contentJson: string };
}
type OldStream = grpc.ClientDuplexStream<Record<string, unknown>, OldHubMessage>;
interface OldAgent {
  readonly stream: OldStream;
  readonly received: OldHubMessage[];
  error(): grpc.ServiceError | undefined;
  send(message: Record<string, unknown>): void;
}
type OldClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => grpc.Client & Record<string, unknown>;

/**
 * "One version behind" (design.md §5; negotiateProtocol states the rule): an agent built on the
 * older message set (test/fixtures/protocol/agent-v0.proto — no capabilities, Kubernetes version,
 * removed flag, terminal or drift, and no protocol_version on the wire) registers, is welcomed,
 * receives and acks its Desired, and its status is ingested; versions the hub does not speak are
 * refused with FAILED_PRECONDITION and a message saying what to upgrade.
 */
describe('an agent one protocol version behind', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let caPem: string;
  let sourceId: string;
  const open: { close(): void }[] = [];
  const definition = grpc.loadPackageDefinition(loadSync(OLD_PROTO, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true })) as unknown as {
    flotilla: { agent: { v1: { RegistrationService: OldClientConstructor; AgentGatewayService: OldClientConstructor } } };
  };
  const old = definition.flotilla.agent.v1;

  const sql = (text: string, params: unknown[] = []) => queryRows(hub.database, text, params);

  /** Registers with the older message set (no protocol version on the wire). */
  const registerOld = async (name: string): Promise<{ keyPem: string; certificatePem: string }> => {
    const result = await hub.graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      'mutation($name: String!) { registerCluster(name: $name) { bootstrapToken installManifest } }',
      { token: hub.adminToken, variables: { name } },
    );
    caPem = parseAllDocuments(result.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!['hub-ca.pem']!;
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=old-agent');
    const registration = new old.RegistrationService(`127.0.0.1:${hub.hub.registrationPort}`, grpc.credentials.createSsl(Buffer.from(caPem)), TLS_OPTIONS);
    const registered = await new Promise<{ certificatePem: string }>((resolve, reject) =>
      (registration.register as (request: object, callback: (error: grpc.ServiceError | null, response?: { certificatePem: string }) => void) => void)(
        { bootstrapToken: result.data!.registerCluster.bootstrapToken, csrPem, agentVersion: 'v0-agent' },
        (error, response) => (error ? reject(error) : resolve(response!)),
      ),
    );
    registration.close();
    return { keyPem: privateKeyPem, certificatePem: registered.certificatePem };
  };
  /** Opens a stream speaking the older message set. */
  const openOld = (identity: { keyPem: string; certificatePem: string }): OldAgent => {
    const client = new old.AgentGatewayService(
      `127.0.0.1:${hub.hub.grpcPort}`,
      grpc.credentials.createSsl(Buffer.from(caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certificatePem)),
      TLS_OPTIONS,
    );
    const stream = (client.connect as () => OldStream)();
    const received: OldHubMessage[] = [];
    let error: grpc.ServiceError | undefined;
    stream.on('data', (message: OldHubMessage) => received.push(message));
    stream.on('error', (e: grpc.ServiceError) => (error = e));
    let seq = 0;
    open.push({ close: () => (stream.end(), client.close()) });
    return { stream, received, error: () => error, send: (message) => stream.write({ seq: String(++seq), ...message }) };
  };

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {}}]\n');
    await repo.write('web/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {k: v}\n');
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const added = await hub.graphql<{ addSource: { source: { id: string } } }>('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      token: hub.adminToken,
      variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    });
    expect(added.errors).toBeUndefined();
    sourceId = added.data!.addSource.source.id;
  });

  afterAll(async () => {
    for (const stream of open) stream.close();
    await hub?.close();
    await repo?.destroy();
  });

  it('is welcomed, receives its Desired, and its ack and status are ingested', async () => {
    const agent = openOld(await registerOld('legacy-1'));
    agent.send({ hello: { agentVersion: 'v0-agent', known: [] } });
    await until(async () => agent.received.some((m) => m.body === 'desired') || agent.error() !== undefined, 'the Desired', 15_000);
    expect(agent.error()).toBeUndefined();
    const welcome = agent.received.find((m) => m.body === 'welcome')!.welcome!;
    expect(welcome.protocolVersion).toBe(1);
    const desired = agent.received.find((m) => m.body === 'desired')!.desired!;
    expect(`sha256:${createHash('sha256').update(desired.contentJson).digest('hex')}`).toBe(desired.hash);
    expect(JSON.parse(desired.contentJson).manifests[0]).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'web', namespace: 'web' } });

    agent.send({ ack: { bundle: 'web', generation: desired.generation } });
    agent.send({
      status: {
        bundle: 'web',
        generation: desired.generation,
        phase: 'PHASE_APPLIED',
        health: 'HEALTH_HEALTHY',
        resources: [{ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'web', change: 'CHANGE_CREATED', health: 'HEALTH_HEALTHY', message: '' }],
        reason: '',
        observedAtUnixMs: String(Date.now()),
      },
    });
    await until(async () => (await sql(`SELECT health FROM bundle_statuses s JOIN clusters c ON c.id = s.cluster_id WHERE c.name = 'legacy-1'`))[0]?.health === 'HEALTHY', 'the status', 15_000);
    const [row] = await sql(
      `SELECT s.acked_generation::text AS acked, s.phase, s.terminal, s.drifted_fields, s.resources, k.protocol_version, k.agent_version, k.kubernetes_version, k.state
         FROM bundle_statuses s JOIN clusters c ON c.id = s.cluster_id JOIN cluster_connections k ON k.cluster_id = c.id WHERE c.name = 'legacy-1'`,
    );
    // What the older agent could not say is stored as "not said": no drift, not terminal, Kubernetes version unknown.
    expect(row).toEqual({
      acked: desired.generation,
      phase: 'APPLIED',
      terminal: false,
      drifted_fields: 0,
      resources: [{ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'web', change: 'CREATED', health: 'HEALTHY', message: '', drift: [] }],
      protocol_version: 0,
      agent_version: 'v0-agent',
      kubernetes_version: '',
      state: 'Connected',
    });
  });

  it('resumes from an older Hello.known (no removed flag) without re-sending what it holds', async () => {
    const identity = await registerOld('legacy-2');
    const first = openOld(identity);
    first.send({ hello: { agentVersion: 'v0-agent', known: [] } });
    await until(async () => first.received.some((m) => m.body === 'desired'), 'the Desired', 15_000);
    const held = first.received.find((m) => m.body === 'desired')!.desired!;
    first.stream.end();

    const again = openOld(identity);
    again.send({ hello: { agentVersion: 'v0-agent', known: [{ bundle: 'web', generation: held.generation, hash: held.hash }] } });
    await until(async () => again.received.some((m) => m.body === 'welcome'), 'the Welcome', 15_000);
    // A change after the reconnect: the stream is ordered, so if the held generation were sent
    // again it would come before this one.
    await repo.write('web/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {k: v2}\n');
    await repo.commit('v2');
    const synced = await hub.graphql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { token: hub.adminToken, variables: { id: sourceId } });
    expect(synced.errors).toBeUndefined();
    await until(async () => again.received.some((m) => m.body === 'desired'), 'the changed Desired', 15_000);
    const desired = again.received.filter((m) => m.body === 'desired').map((m) => m.desired!);
    expect(BigInt(desired[0]!.generation)).toBeGreaterThan(BigInt(held.generation));
    expect(desired[0]!.hash).not.toBe(held.hash);
    expect(again.error()).toBeUndefined();
  });

  it('refuses a version the hub does not speak, saying what to upgrade', async () => {
    const agent = openOld(await registerOld('too-new'));
    agent.send({ hello: { protocolVersion: 2, agentVersion: 'v2-agent', known: [] } });
    await until(async () => agent.error() !== undefined, 'the refusal', 15_000);
    expect(agent.error()!.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(agent.error()!.details).toBe('protocol version 2 is not supported (this hub speaks 0-1); it is newer than this hub: upgrade the hub first');
    expect(agent.received.some((m) => m.body === 'welcome')).toBe(false);
  });
});
