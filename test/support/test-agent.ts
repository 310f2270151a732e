import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createKeyAndCsr } from '@flotilla/pki';
import {
  AgentGatewayServiceClient,
  PROTOCOL_VERSION,
  RegistrationServiceClient,
  type AgentMessage,
  type HubMessage,
  type KnownBundle,
} from '@flotilla/protocol';

type Body = NonNullable<AgentMessage['body']>;

/**
 * A bare agent for hub tests: registers over the real listener, opens real mTLS streams, and lets
 * a test send exact messages and wait for what the hub sends. The product's agent is elsewhere.
 */
export class TestAgent {
  private constructor(
    readonly clusterUid: string,
    private readonly key: string,
    private readonly certificate: string,
    private readonly caPem: string,
  ) {}

  static async register(registrationPort: number, caPem: string, bootstrapToken: string): Promise<TestAgent> {
    const client = new RegistrationServiceClient(`127.0.0.1:${registrationPort}`, grpc.credentials.createSsl(Buffer.from(caPem)), tlsOptions());
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=test-agent');
    try {
      const response = await new Promise<{ clusterUid: string; certificatePem: string; caCertificatePem: string }>((resolve, reject) =>
        client.register({ bootstrapToken, csrPem, protocolVersion: PROTOCOL_VERSION, agentVersion: 'test' }, (error, r) => (error ? reject(error) : resolve(r!))),
      );
      return new TestAgent(response.clusterUid, privateKeyPem, response.certificatePem, response.caCertificatePem);
    } finally {
      client.close();
    }
  }

  /** Opens a stream and sends Hello with what the agent claims to hold (`known: null` sends no Hello). */
  connect(grpcPort: number, known: KnownBundle[] | null = []): TestStream {
    return new TestStream(grpcPort, this.key, this.certificate, this.caPem, known);
  }
}

export class TestStream {
  readonly received: HubMessage[] = [];
  error: grpc.ServiceError | undefined;
  ended = false;
  private readonly client: InstanceType<typeof AgentGatewayServiceClient>;
  private readonly call: grpc.ClientDuplexStream<AgentMessage, HubMessage>;
  private seq = 0n;
  private cursor = 0;

  constructor(port: number, key: string, cert: string, ca: string, known: KnownBundle[] | null) {
    this.client = new AgentGatewayServiceClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(ca), Buffer.from(key), Buffer.from(cert)), tlsOptions());
    this.call = this.client.connect();
    this.call.on('data', (message: HubMessage) => this.received.push(message));
    this.call.on('error', (error: grpc.ServiceError) => (this.error = error));
    this.call.on('end', () => (this.ended = true));
    if (known) this.send({ $case: 'hello', value: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'test', capabilities: [], known, kubernetesVersion: 'v1.35.0' } });
  }

  send(body: Body, seq?: bigint): void {
    this.seq = seq ?? this.seq + 1n;
    this.call.write({ seq: this.seq, body });
  }

  /** The next message (after those already taken) that matches, waiting up to the deadline. */
  async next<C extends NonNullable<HubMessage['body']>['$case']>(kind: C, timeoutMs = 10_000): Promise<Extract<NonNullable<HubMessage['body']>, { $case: C }>['value']> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const body = this.received[this.cursor++]!.body;
        if (body?.$case === kind) return body.value as never;
      }
      if (this.error) throw new Error(`stream failed while waiting for ${kind}: ${this.error.code} ${this.error.details}`);
      if (Date.now() > deadline) throw new Error(`no ${kind} within ${timeoutMs} ms; received ${JSON.stringify(this.received.map((m) => m.body?.$case))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async closedWith(timeoutMs = 10_000): Promise<grpc.ServiceError> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!this.error) throw new Error('the stream was not closed with an error');
    return this.error;
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

export function sha256Hash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function tlsOptions(): grpc.ChannelOptions {
  // Each test agent has its own connection, like a real agent in its own cluster.
  return { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost', 'grpc.use_local_subchannel_pool': 1 };
}
