import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { AgentConnection, EncryptedFileStateStore, RegistrationRefusedError, type AgentConnectionOptions } from '@flotilla/agent-connection';
import { clusterUidOf, createKeyAndCsr } from '@flotilla/pki';
import { PROTOCOL_VERSION, RegistrationServiceClient } from '@flotilla/protocol';
import { parseAllDocuments } from 'yaml';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { RecordingReconciler, stateDir, until } from './fake-hub.support.js';

const REGISTER_CLUSTER = `mutation($name: String!) { registerCluster(name: $name) { cluster { id } bootstrapToken installManifest } }`;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('agent registration against the hub’s Register listener', () => {
  let hub: TestHub;
  let caPem: string;
  let closedPort: number;
  let state: Awaited<ReturnType<typeof stateDir>>;
  const connections: AgentConnection[] = [];

  const registerCluster = async (name: string): Promise<{ id: string; token: string; installManifest: string }> => {
    const result = await hub.graphql<{ registerCluster: { cluster: { id: string }; bootstrapToken: string; installManifest: string } }>(REGISTER_CLUSTER, { token: hub.adminToken, variables: { name } });
    expect(result.errors).toBeUndefined();
    const registered = result.data!.registerCluster;
    return { id: registered.cluster.id, token: registered.bootstrapToken, installManifest: registered.installManifest };
  };

  function connection(token: string | undefined, overrides: Partial<AgentConnectionOptions> = {}) {
    const registered: string[] = [];
    const agent = new AgentConnection({
      registrationAddress: `127.0.0.1:${hub.hub.registrationPort}`,
      // Only registration is under test here: the stream goes to a port nobody listens on.
      hubAddress: `127.0.0.1:${closedPort}`,
      bootstrapToken: token,
      hubCaPem: caPem,
      tlsServerName: 'localhost',
      store: new EncryptedFileStateStore(state.dir, state.keyring),
      reconciler: new RecordingReconciler(),
      agentVersion: 'test',
      logger: quiet,
      backoff: { initialMs: 20, maxMs: 200 },
      observer: { registered: (uid) => registered.push(uid) },
      ...overrides,
    });
    connections.push(agent);
    return { agent, registered };
  }

  beforeAll(async () => {
    hub = await startTestHub();
    const objects = parseAllDocuments((await registerCluster('probe')).installManifest).map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> });
    caPem = objects.find((o) => o.kind === 'Secret')!.stringData!['hub-ca.pem']!;
    closedPort = await freePort();
  });
  afterAll(async () => {
    await hub?.close();
  });
  beforeEach(async () => {
    state = await stateDir();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.stop()));
    await state.remove();
  });

  it('registers, persists its identity, and does not register again after a restart', async () => {
    const cluster = await registerCluster('agent-1');
    const first = connection(cluster.token);
    await first.agent.start();
    expect(first.registered).toEqual([cluster.id]);
    expect(first.agent.clusterUid).toBe(cluster.id);
    const identity = (await new EncryptedFileStateStore(state.dir, state.keyring).loadIdentity())!;
    expect(identity.clusterUid).toBe(cluster.id);
    expect(clusterUidOf(identity.certificatePem)).toBe(cluster.id);
    expect(identity.caCertificatePem).toBe(caPem);
    await first.agent.stop();

    // The token is used now: a second registration with a new key would be refused, so success proves none happened.
    const second = connection(cluster.token);
    await second.agent.start();
    expect(second.registered).toEqual([]);
    expect(second.agent.clusterUid).toBe(cluster.id);
    expect((await new EncryptedFileStateStore(state.dir, state.keyring).loadIdentity())!.certificatePem).toBe(identity.certificatePem);
  });

  it('after a crash between Register and saving the certificate, registers again with the key it saved first', async () => {
    const cluster = await registerCluster('agent-crashed');
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=x');
    const store = new EncryptedFileStateStore(state.dir, state.keyring);
    await store.savePrivateKey(privateKeyPem);
    // The crashed run got this far: the hub recorded the token as used by this key.
    const client = new RegistrationServiceClient(`127.0.0.1:${hub.hub.registrationPort}`, grpc.credentials.createSsl(Buffer.from(caPem)), { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
    await new Promise((resolve, reject) => client.register({ bootstrapToken: cluster.token, csrPem, protocolVersion: PROTOCOL_VERSION, agentVersion: 'crashed' }, (error, response) => (error ? reject(error) : resolve(response))));
    client.close();

    const { agent, registered } = connection(cluster.token);
    await agent.start();
    expect(registered).toEqual([cluster.id]);
    expect((await store.loadIdentity())!.privateKeyPem).toBe(privateKeyPem);
  });

  it('treats a refused token as final, with a typed error', async () => {
    const { agent, registered } = connection(`flb_${'A'.repeat(43)}`);
    const error = (await agent.start().catch((e: unknown) => e)) as RegistrationRefusedError;
    expect(error).toBeInstanceOf(RegistrationRefusedError);
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.details).toContain('unknown');
    expect(registered).toEqual([]);
    expect(await new EncryptedFileStateStore(state.dir, state.keyring).loadIdentity()).toBeUndefined();
  });

  it('retries while the listener is unreachable, and stop() ends the retries', async () => {
    const cluster = await registerCluster('agent-unreachable');
    const warnings: string[] = [];
    const unreachable = connection(cluster.token, { registrationAddress: `127.0.0.1:${closedPort}`, logger: { ...quiet, warn: (m) => warnings.push(m) } });
    const started = unreachable.agent.start();
    await until(() => warnings.filter((w) => w.includes('retrying')).length >= 3, 'three retries');
    expect(warnings[0]).toContain('UNAVAILABLE');
    await unreachable.agent.stop();
    await expect(started).resolves.toBeUndefined();
    expect(unreachable.registered).toEqual([]);
  });
});

/** A port that was free a moment ago and is closed now: connections to it are refused at once. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}
