import * as grpc from '@grpc/grpc-js';
import { createCsrForKey, createKeyAndCsr, describeCertificate } from '@flotilla/pki';
import { PROTOCOL_VERSION, RegistrationServiceClient, type RegisterResponse } from '@flotilla/protocol';
import { parseAllDocuments } from 'yaml';
import { TestStream } from '../../support/test-agent.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

interface Identity {
  readonly keyPem: string;
  readonly certificatePem: string;
  readonly serial: string;
}

const TLS_OPTIONS = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost', 'grpc.use_local_subchannel_pool': 1 };

/** Explicit revocation of an agent certificate (besides deleting the cluster), end to end over GraphQL, gRPC and PostgreSQL. */
describe('revoking an agent certificate', () => {
  let hub: TestHub;
  let caPem: string;
  const streams: TestStream[] = [];

  const registerCluster = async (name: string): Promise<string> => {
    const result = await hub.graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      'mutation($name: String!) { registerCluster(name: $name) { bootstrapToken installManifest } }',
      { token: hub.adminToken, variables: { name } },
    );
    expect(result.errors).toBeUndefined();
    caPem ||= parseAllDocuments(result.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!['hub-ca.pem']!;
    return result.data!.registerCluster.bootstrapToken;
  };
  /** Register over the real listener with a given key (a new one unless passed). */
  const register = async (token: string, keyPem?: string): Promise<Identity> => {
    const key = keyPem ?? (await createKeyAndCsr('CN=agent')).privateKeyPem;
    const csrPem = await createCsrForKey('CN=agent', key);
    const client = new RegistrationServiceClient(`127.0.0.1:${hub.hub.registrationPort}`, grpc.credentials.createSsl(Buffer.from(caPem)), TLS_OPTIONS);
    try {
      const response = await new Promise<RegisterResponse>((resolve, reject) =>
        client.register({ bootstrapToken: token, csrPem, protocolVersion: PROTOCOL_VERSION, agentVersion: 'test' }, (error, r) => (error ? reject(error) : resolve(r!))),
      );
      return { keyPem: key, certificatePem: response.certificatePem, serial: describeCertificate(response.certificatePem).serialNumber };
    } finally {
      client.close();
    }
  };
  const connect = (identity: Identity): TestStream => {
    const stream = new TestStream(hub.hub.grpcPort, identity.keyPem, identity.certificatePem, caPem, []);
    streams.push(stream);
    return stream;
  };
  const revoke = (cluster: string, serial: string | null, token = hub.adminToken) =>
    hub.graphql<{ revokeAgentCertificate: { revokedSerials: string[]; closedStreams: number; cluster: { name: string } } }>(
      'mutation($cluster: String!, $serial: String) { revokeAgentCertificate(cluster: $cluster, serial: $serial) { revokedSerials closedStreams cluster { name } } }',
      { token, variables: { cluster, serial } },
    );

  beforeAll(async () => {
    hub = await startTestHub({ logLevels: ['error'] });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await hub?.close();
  });

  it('closes the live stream at once, refuses the certificate later, and lets the agent come back with a new token and key', async () => {
    const token = await registerCluster('rev-1');
    const identity = await register(token);
    const live = connect(identity);
    const { clusterUid } = await live.next('welcome');
    const bystander = connect(await register(await registerCluster('rev-bystander')));
    await bystander.next('welcome');

    const revoked = await revoke('rev-1', identity.serial.toUpperCase());
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data?.revokeAgentCertificate).toEqual({ revokedSerials: [identity.serial], closedStreams: 1, cluster: { name: 'rev-1' } });
    const closed = await live.closedWith();
    expect(closed.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(closed.details).toBe('the certificate was revoked');

    // Later connects with that certificate are refused; another cluster's stream is untouched.
    const retry = connect(identity);
    const refused = await retry.closedWith();
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(refused.details).toBe('the certificate was revoked');
    const states = await hub.graphql<{ a: { connection: { state: string } }; b: { connection: { state: string } } }>(
      '{ a: cluster(name: "rev-1") { connection { state } } b: cluster(name: "rev-bystander") { connection { state } } }',
      { token: hub.adminToken },
    );
    expect(states.data).toEqual({ a: { connection: { state: 'Disconnected' } }, b: { connection: { state: 'Connected' } } });
    expect(bystander.error).toBeUndefined();

    // The old bootstrap token no longer buys a certificate, not even for the same key…
    await expect(register(token, identity.keyPem)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('expired') });
    // …and a new token does not either while the key is the revoked one.
    const fresh = await registerCluster('rev-1');
    await expect(register(fresh, identity.keyPem)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'a certificate for this key was revoked: generate a new key' });
    // A new key with the new token works.
    const back = connect(await register(fresh));
    expect((await back.next('welcome')).clusterUid).toBe(clusterUid);
  });

  it('revokes every certificate of a cluster when no serial is given, and says when there is nothing left', async () => {
    const token = await registerCluster('rev-2');
    const identity = await register(token);
    const live = connect(identity);
    await live.next('welcome');
    const all = await revoke('rev-2', null);
    expect(all.data?.revokeAgentCertificate).toEqual({ revokedSerials: [identity.serial], closedStreams: 1, cluster: { name: 'rev-2' } });
    expect((await live.closedWith()).details).toBe('the certificate was revoked');
    const again = await revoke('rev-2', null);
    expect(again.data?.revokeAgentCertificate).toEqual({ revokedSerials: [], closedStreams: 0, cluster: { name: 'rev-2' } });
  });

  it('answers bad requests with a typed error naming what is wrong, and only to admins', async () => {
    await registerCluster('rev-3');
    const unknownSerial = await revoke('rev-3', 'abc123');
    expect(unknownSerial.errors?.[0]).toMatchObject({ message: 'cluster "rev-3" has no agent certificate with serial abc123', extensions: { code: 'NOT_FOUND' } });
    const badSerial = await revoke('rev-3', 'not-a-serial');
    expect(badSerial.errors?.[0]).toMatchObject({ message: expect.stringContaining('"not-a-serial" is not a certificate serial'), extensions: { code: 'BAD_USER_INPUT' } });
    const noCluster = await revoke('no-such-cluster', null);
    expect(noCluster.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const operator = await hub.graphql<{ createApiToken: { token: string } }>('mutation { createApiToken(input: {name: "ops", role: operator}) { token } }', { token: hub.adminToken });
    const forbidden = await revoke('rev-3', null, operator.data!.createApiToken.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
