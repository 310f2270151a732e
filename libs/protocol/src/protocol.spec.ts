import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority, clusterIdentityUri, clusterUidOf, createKeyAndCsr } from '@flotilla/pki';
import {
  AgentGatewayServiceClient,
  AgentGatewayServiceService,
  AgentMessage,
  HubMessage,
  type AgentGatewayServiceServer,
} from './generated/flotilla/agent/v1/agent.js';
import { grpcChannelOptions, MAX_AGENT_MESSAGE_BYTES, PROTOCOL_VERSION } from './protocol-limits.js';

const UID = '6c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const HOUR = 3_600_000;

describe('the agent protocol', () => {
  it('round-trips messages, 64-bit generations included', () => {
    const message: AgentMessage = {
      seq: 7n,
      body: { $case: 'hello', value: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.1.0', capabilities: ['ssa'], known: [{ bundle: 'web', generation: 2n ** 62n, hash: 'sha256:x', removed: false }], kubernetesVersion: 'v1.35.0' } },
    };
    expect(AgentMessage.decode(AgentMessage.encode(message).finish())).toEqual(message);
    const hub: HubMessage = { body: { $case: 'remove', value: { bundle: 'web', generation: 9n, deletionPolicy: 2 } } };
    expect(HubMessage.decode(HubMessage.encode(hub).finish())).toEqual(hub);
  });

  it('rejects garbage bytes with an error instead of a crash', () => {
    expect(() => AgentMessage.decode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow();
  });

  describe('over gRPC with mutual TLS', () => {
    let server: grpc.Server;
    let port: number;
    let ca: CertificateAuthority;
    let clientKey: string;
    let clientCert: string;

    beforeAll(async () => {
      ca = await CertificateAuthority.create({ commonName: 'protocol-test' });
      const hubCert = await ca.issue({ subject: 'CN=hub', usage: 'server', validityMs: HOUR, dnsNames: ['flotilla-hub'] });
      const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=agent');
      clientKey = privateKeyPem;
      clientCert = (await ca.signCsr(csrPem, { subject: 'CN=agent', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] })).certificatePem;
      const implementation: AgentGatewayServiceServer = {
        connect: (call) => {
          const peer = call.getAuthContext().sslPeerCertificate;
          const uid = peer ? clusterUidOf(`-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64')}\n-----END CERTIFICATE-----\n`) : undefined;
          call.on('data', (message: AgentMessage) => {
            if (message.body?.$case === 'hello') {
              call.write({ body: { $case: 'welcome', value: { protocolVersion: PROTOCOL_VERSION, clusterUid: uid ?? '', heartbeatIntervalMs: 1000 } } });
            }
          });
          call.on('end', () => call.end());
          call.on('error', () => undefined);
        },
      };
      server = new grpc.Server(grpcChannelOptions('hub'));
      server.addService(AgentGatewayServiceService, implementation);
      const credentials = grpc.ServerCredentials.createSsl(
        Buffer.from(ca.certificatePem),
        [{ private_key: Buffer.from(hubCert.privateKeyPem!), cert_chain: Buffer.from(hubCert.certificatePem) }],
        true,
      );
      port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
    });

    afterAll(() => server?.forceShutdown());

    function client(key: string, cert: string): InstanceType<typeof AgentGatewayServiceClient> {
      return new AgentGatewayServiceClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(ca.certificatePem), Buffer.from(key), Buffer.from(cert)), {
        ...grpcChannelOptions('agent'),
        'grpc.ssl_target_name_override': 'flotilla-hub',
        'grpc.default_authority': 'flotilla-hub',
      });
    }

    it('identifies the cluster by its certificate', async () => {
      const agent = client(clientKey, clientCert);
      const stream = agent.connect();
      stream.write({ seq: 1n, body: { $case: 'hello', value: { protocolVersion: PROTOCOL_VERSION, agentVersion: 't', capabilities: [], known: [], kubernetesVersion: '' } } });
      const [reply] = (await once(stream, 'data')) as [HubMessage];
      expect(reply.body).toEqual({ $case: 'welcome', value: { protocolVersion: PROTOCOL_VERSION, clusterUid: UID, heartbeatIntervalMs: 1000 } });
      stream.end();
      agent.close();
    });

    it('refuses a client certificate from another CA', async () => {
      const stranger = await CertificateAuthority.create({ commonName: 'stranger' });
      const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=x');
      const foreign = await stranger.signCsr(csrPem, { subject: 'CN=x', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] });
      const agent = client(privateKeyPem, foreign.certificatePem);
      const stream = agent.connect();
      stream.write({ seq: 1n, body: { $case: 'heartbeat', value: { sentAtUnixMs: 1n } } });
      const [error] = (await once(stream, 'error')) as [grpc.ServiceError];
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
      agent.close();
    });

    it('refuses a message over the size limit with a clear status', async () => {
      const agent = client(clientKey, clientCert);
      const stream = agent.connect();
      stream.write({ seq: 1n, body: { $case: 'status', value: { bundle: 'x'.repeat(MAX_AGENT_MESSAGE_BYTES + 10), generation: 1n, phase: 0, health: 0, terminal: false, drift: undefined, resources: [], reason: '', observedAtUnixMs: 0n } } });
      const [error] = (await once(stream, 'error')) as [grpc.ServiceError];
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      agent.close();
    });
  });
});
