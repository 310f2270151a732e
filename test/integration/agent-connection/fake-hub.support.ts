import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { AgentIdentity, BundleReport, DesiredBundle, Reconciler, RemovedBundle } from '@flotilla/agent-connection';
import { EncryptionKeyring } from '@flotilla/crypto';
import { CertificateAuthority, clusterIdentityUri, createKeyAndCsr } from '@flotilla/pki';
import {
  AgentGatewayServiceService,
  grpcChannelOptions,
  PROTOCOL_VERSION,
  type AgentGatewayServiceServer,
  type AgentMessage,
  type Desired,
  type HubMessage,
} from '@flotilla/protocol';
import { applyPolicySchema, canonicalJson, type KubeObject } from '@flotilla/render';
import { until as pollUntil } from '../../support/until.js';

export const HUB_NAME = 'flotilla-hub';
export const CLUSTER_UID = '6c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** How the fake hub treats a new stream. */
export type StreamBehaviour = 'welcome' | 'silent' | 'fail-after-hello' | 'end-after-hello' | 'refuse';

/** One stream the fake hub accepted, with everything the agent sent on it. */
export interface FakeStream {
  readonly index: number;
  readonly openedAt: number;
  readonly certificateSerial: string;
  readonly messages: (AgentMessage & { receivedAt: number })[];
  readonly call: grpc.ServerDuplexStream<AgentMessage, HubMessage>;
  closed: boolean;
}

/**
 * A small stand-in for the hub's agent gateway: real grpc-js over mutual TLS with a CA from
 * @flotilla/pki, recording every stream and message, and misbehaving on request.
 */
export class FakeHub {
  readonly streams: FakeStream[] = [];
  behaviour: StreamBehaviour = 'welcome';
  heartbeatIntervalMs = 60_000;
  /** Answers RenewCertificate; off by default. */
  renewValidityMs: number | undefined;

  private constructor(
    readonly ca: CertificateAuthority,
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeHub> {
    const ca = await CertificateAuthority.create({ commonName: 'fake-hub-ca' });
    const tls = await ca.issue({ subject: `CN=${HUB_NAME}`, usage: 'server', validityMs: 3_600_000, dnsNames: [HUB_NAME] });
    const server = new grpc.Server(grpcChannelOptions('hub'));
    // The service needs the hub and the hub needs the bound port: the handler looks the hub up late.
    const holder: { hub?: FakeHub } = {};
    const implementation: AgentGatewayServiceServer = { connect: (call) => holder.hub!.accept(call) };
    server.addService(AgentGatewayServiceService, implementation);
    const credentials = grpc.ServerCredentials.createSsl(Buffer.from(ca.certificatePem), [{ private_key: Buffer.from(tls.privateKeyPem!), cert_chain: Buffer.from(tls.certificatePem) }], true);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
    holder.hub = new FakeHub(ca, server, port);
    return holder.hub;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get caPem(): string {
    return this.ca.certificatePem;
  }

  /** The newest stream, if any. */
  get latest(): FakeStream | undefined {
    return this.streams.at(-1);
  }

  /** A key and a certificate for the test cluster, as registration would have produced. */
  async identity(validityMs = 3_600_000): Promise<AgentIdentity> {
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=agent');
    const issued = await this.ca.signCsr(csrPem, { subject: `CN=flotilla-agent,O=${CLUSTER_UID}`, usage: 'client', validityMs, uris: [clusterIdentityUri(CLUSTER_UID)] });
    return { privateKeyPem, certificatePem: issued.certificatePem, caCertificatePem: this.ca.certificatePem, clusterUid: CLUSTER_UID };
  }

  /** Sends to the newest open stream. */
  send(message: HubMessage): void {
    const stream = this.latest;
    if (!stream || stream.closed) throw new Error('no open stream');
    stream.call.write(message);
  }

  /** Ends every open stream with an error status (as a hub going away would). */
  failAll(code = grpc.status.UNAVAILABLE): void {
    for (const stream of this.streams) {
      if (stream.closed) continue;
      stream.closed = true;
      stream.call.emit('error', { code, details: 'fake hub: going away' });
    }
  }

  /** Everything of one kind the agent sent, over all streams, in order. */
  received<K extends NonNullable<AgentMessage['body']>['$case']>(kind: K): Extract<NonNullable<AgentMessage['body']>, { $case: K }>['value'][] {
    return this.streams.flatMap((stream) => stream.messages.filter((m) => m.body?.$case === kind).map((m) => m.body!.value)) as never;
  }

  close(): void {
    this.server.forceShutdown();
  }

  private accept(call: grpc.ServerDuplexStream<AgentMessage, HubMessage>): void {
    const peer = call.getAuthContext().sslPeerCertificate;
    const stream: FakeStream = { index: this.streams.length, openedAt: Date.now(), certificateSerial: peer?.serialNumber.toLowerCase() ?? '', messages: [], call, closed: false };
    this.streams.push(stream);
    const behaviour = this.behaviour;
    call.on('error', () => (stream.closed = true));
    call.on('end', () => {
      stream.closed = true;
      call.end();
    });
    if (behaviour === 'refuse') {
      stream.closed = true;
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'fake hub: refusing' });
      return;
    }
    call.on('data', (message: AgentMessage) => {
      stream.messages.push({ ...message, receivedAt: Date.now() });
      const body = message.body;
      if (body?.$case === 'hello') {
        if (behaviour === 'welcome') call.write({ body: { $case: 'welcome', value: { protocolVersion: PROTOCOL_VERSION, clusterUid: CLUSTER_UID, heartbeatIntervalMs: this.heartbeatIntervalMs } } });
        if (behaviour === 'fail-after-hello') {
          stream.closed = true;
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'fake hub: failing' });
        }
        if (behaviour === 'end-after-hello') {
          stream.closed = true;
          call.end();
        }
      }
      if (body?.$case === 'renew' && this.renewValidityMs !== undefined) {
        void this.ca
          .signCsr(body.value.csrPem, { subject: `CN=flotilla-agent,O=${CLUSTER_UID}`, usage: 'client', validityMs: this.renewValidityMs, uris: [clusterIdentityUri(CLUSTER_UID)] })
          .then((issued) => {
            if (!stream.closed) call.write({ body: { $case: 'certificate', value: { certificatePem: issued.certificatePem, notAfterUnixMs: BigInt(issued.notAfter.getTime()) } } });
          });
      }
    });
  }
}

/** A Desired as the hub would send it: canonical content and its true hash. */
export function desiredMessage(bundle: string, generation: bigint, manifests: KubeObject[] = [configMap(`${bundle}-cfg`, String(generation))]): Desired {
  const contentJson = canonicalJson({ manifests, policy: applyPolicySchema.parse({}) });
  return { bundle, generation, hash: `sha256:${createHash('sha256').update(contentJson).digest('hex')}`, revision: `rev-${generation}`, contentJson, dependsOn: [], suspend: false };
}

export function configMap(name: string, value: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } };
}

/** A reconciler that only records what it is handed and emits the reports a test gives it. */
export class RecordingReconciler implements Reconciler {
  readonly calls: (['desired', DesiredBundle] | ['remove', RemovedBundle] | ['syncNow', string | undefined])[] = [];
  readonly listeners = new Set<(report: BundleReport) => void>();
  started = false;
  stopped = false;

  constructor(private readonly log?: string[]) {}

  desired(b: DesiredBundle): void {
    this.log?.push(`reconciler:${b.bundle}:${b.generation}`);
    this.calls.push(['desired', b]);
  }
  remove(b: RemovedBundle): void {
    this.calls.push(['remove', b]);
  }
  syncNow(bundle?: string): void {
    this.calls.push(['syncNow', bundle]);
  }
  onReport(listener: (r: BundleReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(report: BundleReport): void {
    for (const listener of this.listeners) listener(report);
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

export function bundleReport(bundle: string, phase: BundleReport['phase'], generation = 1n): BundleReport {
  return { bundle, generation, phase, health: 'Healthy', terminal: false, drift: { driftedFields: 0, fighting: false }, resources: [], reason: `${bundle} ${phase}`, observedAt: new Date() };
}

/** The shared `until`, polling every 5 ms: these tests time backoffs of tens of milliseconds. */
export const until = (check: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> => pollUntil(check, what, deadlineMs, { intervalMs: 5 });

/** A temporary directory and a keyring for one test's agent state. */
export async function stateDir(): Promise<{ dir: string; keyring: EncryptionKeyring; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'agent-connection-'));
  return { dir: join(root, 'state'), keyring: EncryptionKeyring.parse(EncryptionKeyring.generateSpec('test')), remove: () => rm(root, { recursive: true, force: true }) };
}

export function serialOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).serialNumber.toLowerCase();
}
