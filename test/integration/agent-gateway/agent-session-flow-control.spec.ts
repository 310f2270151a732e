import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '@flotilla/pki';
import { AgentGatewayServiceClient, Health, Phase, type AgentMessage } from '@flotilla/protocol';
import { AgentSession } from '../../../apps/hub/src/agent-gateway/agent-session.js';
import { GATEWAY_SERVICE, type OutgoingHubMessage } from '../../../apps/hub/src/agent-gateway/hub-message.codec.js';
import { until } from '../../support/until.js';

/**
 * The hub's side of status backpressure on a real grpc-js stream over mutual TLS: a paused
 * session takes no more messages than one read ahead, and the agent's writes push back.
 */
describe('AgentSession flow control on a real stream', () => {
  let server: grpc.Server;
  let client: AgentGatewayServiceClient;
  const sessions: { session: AgentSession; call: grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>; received: AgentMessage[] }[] = [];

  beforeAll(async () => {
    const ca = await CertificateAuthority.create({ commonName: 'flow-control-ca' });
    const serverTls = await ca.issue({ subject: 'CN=hub', usage: 'server', validityMs: 3_600_000, dnsNames: ['hub'] });
    const clientTls = await ca.issue({ subject: 'CN=agent', usage: 'client', validityMs: 3_600_000 });
    server = new grpc.Server();
    server.addService(GATEWAY_SERVICE, {
      connect: (call: grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>) => {
        const entry = { session: new AgentSession('cluster', '01', 1n, call, () => undefined), call, received: [] as AgentMessage[] };
        call.on('data', (message: AgentMessage) => entry.received.push(message));
        sessions.push(entry);
      },
    });
    const credentials = grpc.ServerCredentials.createSsl(Buffer.from(ca.certificatePem), [{ private_key: Buffer.from(serverTls.privateKeyPem!), cert_chain: Buffer.from(serverTls.certificatePem) }], true);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
    client = new AgentGatewayServiceClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createSsl(Buffer.from(ca.certificatePem), Buffer.from(clientTls.privateKeyPem!), Buffer.from(clientTls.certificatePem)),
      // As the agent's channel: no retry buffer, so its writes push back as HTTP/2 flow control does.
      { 'grpc.ssl_target_name_override': 'hub', 'grpc.default_authority': 'hub', 'grpc.enable_retries': 0, 'grpc.per_rpc_retry_buffer_size': 0 },
    );
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('reads at most one message ahead while paused; the agent feels it; resuming delivers every message in order', async () => {
    const stream = client.connect();
    stream.on('error', () => undefined);
    const status = (seq: bigint): AgentMessage => ({
      seq,
      body: {
        $case: 'status',
        value: { bundle: 'web', generation: 1n, phase: Phase.PHASE_APPLIED, health: Health.HEALTH_HEALTHY, terminal: false, drift: undefined, resources: [], reason: 'x'.repeat(2_000), observedAtUnixMs: 0n },
      },
    });
    stream.write(status(1n));
    await until(() => sessions[0]?.received.length === 1, 'the first message');
    const { session, call, received } = sessions[0]!;
    session.pauseReading();

    // Write as a sender respecting backpressure does (on 'drain'), until 'drain' stops coming.
    let written = 1;
    const drained = () => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 500);
      stream.once('drain', () => resolve(clearTimeout(timer) === undefined));
    });
    while (written < 1_000) {
      if (!stream.write(status(BigInt(++written))) && !(await drained())) break;
    }
    // Held back once the flow-control window (and the socket's buffers) filled, not after 1,000 messages of 2 KB.
    expect(written).toBeLessThan(200);
    expect(received).toHaveLength(1);
    expect(call.readableLength).toBeLessThanOrEqual(1);

    session.resumeReading();
    await until(() => received.length === written, 'every written message after the resume');
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: written }, (_, i) => BigInt(i + 1)));
    stream.end();
  });
});
