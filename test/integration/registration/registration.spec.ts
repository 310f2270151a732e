import { X509Certificate } from 'node:crypto';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { clusterUidOf, createKeyAndCsr } from '@flotilla/pki';
import { PROTOCOL_VERSION, RegistrationServiceClient, type RegisterResponse } from '@flotilla/protocol';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { CapturingLogger } from '../sources/sources-test.support.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const REGISTER_CLUSTER = `mutation($name: String!, $labels: [LabelInput!]) {
  registerCluster(name: $name, labels: $labels) { cluster { id name labels { key value } } bootstrapToken bootstrapTokenExpiresAt installManifest }
}`;

interface Registered {
  cluster: { id: string; name: string };
  bootstrapToken: string;
  installManifest: string;
}

describe('agent registration', () => {
  let hub: TestHub;
  let logger: CapturingLogger;
  let client: InstanceType<typeof RegistrationServiceClient>;
  let caPem: string;

  const registerCluster = async (name: string, labels?: { key: string; value: string }[]): Promise<Registered> => {
    const result = await hub.graphql<{ registerCluster: Registered }>(REGISTER_CLUSTER, { token: hub.adminToken, variables: { name, labels } });
    expect(result.errors).toBeUndefined();
    return result.data!.registerCluster;
  };
  const register = (bootstrapToken: string, csrPem: string, protocolVersion = PROTOCOL_VERSION): Promise<RegisterResponse> =>
    new Promise((resolve, reject) =>
      client.register({ bootstrapToken, csrPem, protocolVersion, agentVersion: 'test' }, (error, response) => (error ? reject(error) : resolve(response!))),
    );
  const sql = async (text: string, params: unknown[] = []) => {
    const db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    try {
      return (await db.query(text, params)).rows;
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    logger = new CapturingLogger();
    hub = await startTestHub({ logger });
    const manifest = parseAllDocuments((await registerCluster('probe')).installManifest).map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> });
    caPem = manifest.find((object) => object.kind === 'Secret')!.stringData!['hub-ca.pem']!;
    client = new RegistrationServiceClient(`127.0.0.1:${hub.hub.registrationPort}`, grpc.credentials.createSsl(Buffer.from(caPem)), {
      'grpc.ssl_target_name_override': 'localhost',
      'grpc.default_authority': 'localhost',
    });
  });
  afterAll(async () => {
    client?.close();
    await hub?.close();
  });

  it('registers a cluster: a token and an install manifest for it', async () => {
    const registered = await registerCluster('prod-eu-1', [{ key: 'env', value: 'prod' }]);
    expect(registered.bootstrapToken).toMatch(/^flb_[A-Za-z0-9_-]{43}$/);
    const objects = parseAllDocuments(registered.installManifest).map((doc) => doc.toJS() as { kind: string; metadata: { name: string }; stringData?: Record<string, string> });
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment']);
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(secret.stringData).toMatchObject({ 'bootstrap-token': registered.bootstrapToken, 'cluster-name': 'prod-eu-1' });
    expect(secret.stringData!['hub-ca.pem']).toContain('BEGIN CERTIFICATE');
    const stored = await sql('SELECT token_hash FROM bootstrap_tokens');
    for (const row of stored) expect(Buffer.from(row.token_hash).toString()).not.toContain(registered.bootstrapToken);
  });

  it('signs the agent’s CSR with the cluster uid as identity, and again for the same key', async () => {
    const registered = await registerCluster('prod-eu-2');
    const { csrPem } = await createKeyAndCsr('CN=whatever-i-like');
    const first = await register(registered.bootstrapToken, csrPem);
    expect(first.clusterUid).toBe(registered.cluster.id);
    expect(clusterUidOf(first.certificatePem)).toBe(registered.cluster.id);
    expect(new X509Certificate(first.certificatePem).verify(new X509Certificate(first.caCertificatePem).publicKey)).toBe(true);
    const again = await register(registered.bootstrapToken, csrPem);
    expect(clusterUidOf(again.certificatePem)).toBe(registered.cluster.id);
    expect(again.certificatePem).not.toBe(first.certificatePem);
  });

  it.each([
    ['used by another key', async (r: Registered) => {
      await register(r.bootstrapToken, (await createKeyAndCsr('CN=a')).csrPem);
      return r.bootstrapToken;
    }, 'already used by another key'],
    ['expired', async (r: Registered) => {
      await sql(`UPDATE bootstrap_tokens SET expires_at = now() - interval '1 second' WHERE cluster_id = $1`, [r.cluster.id]);
      return r.bootstrapToken;
    }, 'expired'],
    ['guessed', async () => `flb_${'A'.repeat(43)}`, 'unknown'],
    ['garbage', async () => 'not a token', 'unknown'],
    ['of a deleted cluster', async (r: Registered) => {
      await hub.graphql(`mutation { deleteCluster(name: "${r.cluster.name}") { id } }`, { token: hub.adminToken });
      return r.bootstrapToken;
    }, 'unknown'],
    ['replaced by a newer registration', async (r: Registered) => {
      await registerCluster(r.cluster.name);
      return r.bootstrapToken;
    }, 'unknown'],
  ])('refuses a token %s, without logging it', async (label, prepare, message) => {
    const registered = await registerCluster(`refuse-${label.replaceAll(' ', '-').slice(0, 30)}`);
    const token = await prepare(registered);
    const error = (await register(token, (await createKeyAndCsr('CN=b')).csrPem).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error.details).toContain(message);
    expect(logger.lines.join('\n')).not.toContain(token);
  });

  it('answers a bad CSR or an unsupported protocol version clearly', async () => {
    const registered = await registerCluster('bad-input');
    const bad = (await register(registered.bootstrapToken, 'garbage').catch((e: unknown) => e)) as grpc.ServiceError;
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toContain('cannot be read');
    const future = (await register(registered.bootstrapToken, (await createKeyAndCsr('CN=c')).csrPem, 99).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(future.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(future.details).toContain('protocol version 99 is not supported');
  });

  it('survives garbage bytes on its port', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(hub.hub.registrationPort, '127.0.0.1', () => socket.end(Buffer.alloc(4096, 0xab)));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const registered = await registerCluster('after-garbage');
    expect((await register(registered.bootstrapToken, (await createKeyAndCsr('CN=d')).csrPem)).clusterUid).toBe(registered.cluster.id);
  });

  it('registers many agents at once without exhausting the database pool', async () => {
    const clusters = await Promise.all(Array.from({ length: 12 }, (_, i) => registerCluster(`burst-${i}`)));
    const agents = await Promise.all(
      clusters.flatMap((cluster) =>
        Array.from({ length: 5 }, async () => register(cluster.bootstrapToken, (await createKeyAndCsr('CN=burst')).csrPem).then(
          (response) => ({ ok: true as const, uid: response.clusterUid }),
          (error: grpc.ServiceError) => ({ ok: false as const, code: error.code }),
        )),
      ),
    );
    // One key per token wins; the other keys are refused as "used by another key", never an internal error.
    expect(agents.filter((a) => !a.ok && a.code !== grpc.status.UNAUTHENTICATED)).toEqual([]);
    expect(new Set(agents.filter((a) => a.ok).map((a) => (a as { uid: string }).uid)).size).toBe(12);
  });
});
