import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { clusterUidOf, createCsrForKey, describeCertificate } from '@flotilla/pki';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  grpcChannelOptions,
  PROTOCOL_VERSION,
  type AgentMessage,
  type CertificateRenewed,
  type Desired,
  type HubMessage,
  type Remove,
  type Welcome,
} from '@flotilla/protocol';
import { AgentStoppedError } from './agent-connection.error.js';
import { AgentStreamClient } from './agent-stream.client.js';
import { stderrLogger, type AgentLogger } from './agent-logger.js';
import { AGENT_CSR_SUBJECT, ensureIdentity } from './agent-registration.js';
import type { AgentIdentity, AgentStateStore } from './agent-state.store.js';
import { Backoff, type BackoffOptions } from './backoff.util.js';
import { toBundleStatus } from './bundle-status.mapping.js';
import { HeldBundles } from './held-bundles.js';
import type { BundleReport, Reconciler } from './reconciler.js';
import { ReportQueue } from './report-queue.js';

type Stream = grpc.ClientDuplexStream<AgentMessage, HubMessage>;
type Body = NonNullable<AgentMessage['body']>;

/** Hooks for what happens on the connection (the fleet simulator and tests count these); each is optional and must not throw. */
export interface AgentConnectionObserver {
  registered?(clusterUid: string): void;
  streamOpened?(): void;
  welcomed?(welcome: Welcome): void;
  acked?(bundle: string, generation: bigint): void;
  rejected?(bundle: string, reason: string): void;
  /** Every Desired or Remove from the hub, with what was made of it (after it was persisted, when accepted). */
  received?(kind: 'desired' | 'remove', bundle: string, verdict: 'accepted' | 'duplicate' | 'rejected'): void;
  /** Every status written to a stream; a report superseded while it waited (newest per bundle) is never written. */
  statusSent?(bundle: string): void;
  disconnected?(reason: string): void;
  renewalRequested?(): void;
  certificateRenewed?(notAfter: Date): void;
}

/** Everything an AgentConnection needs; validated when it is constructed. */
export interface AgentConnectionOptions {
  readonly registrationAddress: string;
  readonly hubAddress: string;
  /** Needed only until the agent is registered (the store then holds a certificate). */
  readonly bootstrapToken?: string;
  /** The CA that signed the hub's server certificates. */
  readonly hubCaPem: string;
  /** A name in the hub certificate's SAN, when dialling an address that is not (e.g. an IP). */
  readonly tlsServerName?: string;
  readonly store: AgentStateStore;
  readonly reconciler: Reconciler;
  readonly agentVersion: string;
  readonly kubernetesVersion?: string;
  readonly capabilities?: readonly string[];
  readonly backoff?: Partial<BackoffOptions>;
  readonly logger?: AgentLogger;
  /** A stream whose Welcome does not come within this is abandoned and opened again; default 30 s. */
  readonly welcomeTimeoutMs?: number;
  readonly observer?: AgentConnectionObserver;
}

/**
 * The agent's side of the hub protocol (design.md §5). It registers once, then keeps one stream to
 * the hub over mutual TLS, reopened from one place only (`scheduleReconnect`) with jittered
 * backoff. Every Desired or Remove is verified, persisted, acknowledged and only then handed to
 * the reconciler, in the order received. What it holds is handed to the reconciler at start,
 * before any connection, so the cluster keeps its state while the hub is away.
 */
export class AgentConnection {
  private readonly logger: AgentLogger;
  private readonly backoff: Backoff;
  private readonly held: HeldBundles;
  private readonly reports = new ReportQueue();
  private readonly abort = new AbortController();
  private identity?: AgentIdentity;
  private client?: InstanceType<typeof AgentStreamClient>;
  private stream?: Stream;
  private seq = 0n;
  private welcomed = false;
  private backpressured = false;
  private renewalRequested = false;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private welcomeTimer?: NodeJS.Timeout;
  private renewalTimer?: NodeJS.Timeout;
  /** Hub messages that touch the store are handled one after another, in order. */
  private inbound: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: AgentConnectionOptions) {
    for (const field of ['registrationAddress', 'hubAddress', 'hubCaPem', 'agentVersion'] as const) {
      if (!options[field]) throw new TypeError(`AgentConnection: ${field} is required`);
    }
    this.logger = options.logger ?? stderrLogger;
    this.backoff = new Backoff(options.backoff);
    this.held = new HeldBundles(options.store, options.reconciler);
  }

  /** The cluster uid once registered (or loaded). */
  get clusterUid(): string | undefined {
    return this.identity?.clusterUid;
  }

  /** How many bundles the agent holds a persisted Desired or removal for. */
  get persistedBundles(): number {
    return this.held.size;
  }

  /** Whether a stream is open and the hub has welcomed it. */
  get connected(): boolean {
    return this.stream !== undefined && this.welcomed;
  }

  /**
   * Hands the persisted state to the reconciler, registers when the store holds no certificate,
   * then opens the stream. Resolves once the stream is being opened (not once it is connected);
   * rejects with AgentStateError for unreadable state and RegistrationRefusedError for a refusal.
   */
  start(): Promise<void> {
    if (this.starting) throw new Error('AgentConnection.start() was already called');
    this.starting = this.run().catch((error: unknown) => {
      if (error instanceof AgentStoppedError) return;
      throw error;
    });
    return this.starting;
  }

  /** Closes the stream, the channel and every timer, then stops the reconciler. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const timer of [this.reconnectTimer, this.heartbeatTimer, this.welcomeTimer, this.renewalTimer]) clearTimeout(timer);
    this.closeStream(this.stream);
    await this.starting?.catch(() => undefined);
    await this.inbound;
    this.unsubscribe?.();
    await this.options.reconciler.stop();
  }

  private async run(): Promise<void> {
    const { reconciler } = this.options;
    await this.held.load();
    this.unsubscribe = reconciler.onReport((report) => this.report(report));
    await reconciler.start();
    this.held.resume();
    if (this.stopped) return;
    const { identity, registered } = await ensureIdentity({ ...this.options, logger: this.logger, signal: this.abort.signal });
    this.identity = identity;
    if (registered) this.options.observer?.registered?.(identity.clusterUid);
    if (this.stopped) return;
    this.openStream();
  }

  // ── the stream ──────────────────────────────────────────────────────────────────────────────

  /** The only place a stream is opened: from start(), and from the one reconnect timer. */
  private openStream(): void {
    this.reconnectTimer = undefined;
    if (this.stopped || !this.identity) return;
    const identity = this.identity;
    // A fresh channel per stream: the certificate may have been renewed, and the channel's own
    // reconnect backoff never delays ours.
    this.client = new AgentStreamClient(
      this.options.hubAddress,
      grpc.credentials.createSsl(Buffer.from(identity.caCertificatePem), Buffer.from(identity.privateKeyPem), Buffer.from(identity.certificatePem)),
      {
        ...grpcChannelOptions('agent'),
        'grpc.use_local_subchannel_pool': 1,
        // No retries (a broken stream is reopened by this class, from one place), and no retry
        // buffer: with one, grpc-js reports up to 1 MiB of messages per call as written before
        // they reach the transport, so write() never pushes back and the newest-report-per-bundle
        // queue is bypassed by a hidden one that keeps every report.
        'grpc.enable_retries': 0,
        'grpc.per_rpc_retry_buffer_size': 0,
        ...(this.options.tlsServerName ? { 'grpc.ssl_target_name_override': this.options.tlsServerName, 'grpc.default_authority': this.options.tlsServerName } : {}),
      },
    );
    const stream = this.client.connect();
    this.stream = stream;
    this.seq = 0n;
    this.welcomed = false;
    this.backpressured = false;
    this.renewalRequested = false;
    let ended = false;
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      this.streamEnded(stream, why);
    };
    stream.on('data', (message: HubMessage) => this.receive(stream, message));
    stream.on('error', (error: grpc.ServiceError) => end(`${grpc.status[error.code] ?? 'error'}: ${error.details ?? error.message}`));
    stream.on('end', () => end('the hub ended the stream'));
    this.options.observer?.streamOpened?.();
    this.send(stream, {
      $case: 'hello',
      value: {
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: this.options.agentVersion,
        capabilities: [...(this.options.capabilities ?? [])],
        known: this.held.known(),
        kubernetesVersion: this.options.kubernetesVersion ?? '',
      },
    });
    this.welcomeTimer = setTimeout(() => {
      this.logger.warn(`no Welcome from ${this.options.hubAddress} within ${this.welcomeTimeoutMs} ms; reconnecting`);
      stream.cancel();
    }, this.welcomeTimeoutMs);
  }

  private get welcomeTimeoutMs(): number {
    return this.options.welcomeTimeoutMs ?? 30_000;
  }

  /** Every way a stream ends (error, end, cancel, Welcome timeout) arrives here once per stream. */
  private streamEnded(stream: Stream, why: string): void {
    if (stream !== this.stream) return;
    this.closeStream(stream);
    this.logger.log(`stream to ${this.options.hubAddress} closed: ${why}`);
    this.options.observer?.disconnected?.(why);
    this.scheduleReconnect();
  }

  private closeStream(stream: Stream | undefined): void {
    for (const timer of [this.heartbeatTimer, this.welcomeTimer, this.renewalTimer]) clearTimeout(timer);
    if (stream && stream === this.stream) {
      this.stream = undefined;
      this.welcomed = false;
      stream.cancel();
      this.client?.close();
      this.client = undefined;
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.reconnectTimer = setTimeout(() => this.openStream(), delay);
  }

  private send(stream: Stream, body: Body): boolean {
    this.seq += 1n;
    return stream.write({ seq: this.seq, body });
  }

  private receive(stream: Stream, message: HubMessage): void {
    if (stream !== this.stream || !message.body) return;
    const body = message.body;
    if (!this.welcomed) {
      if (body.$case === 'welcome') this.onWelcome(stream, body.value);
      else {
        this.logger.warn(`the hub sent ${body.$case} before Welcome; reconnecting`);
        stream.cancel();
      }
      return;
    }
    switch (body.$case) {
      case 'desired':
        this.enqueue(() => this.onDesired(stream, body.value));
        break;
      case 'remove':
        this.enqueue(() => this.onRemove(stream, body.value));
        break;
      case 'certificate':
        this.enqueue(() => this.onCertificate(body.value));
        break;
      case 'syncNow':
        this.options.reconciler.syncNow(body.value.bundle || undefined);
        break;
      case 'ping':
      case 'welcome':
        break;
    }
  }

  private onWelcome(stream: Stream, welcome: Welcome): void {
    this.welcomed = true;
    clearTimeout(this.welcomeTimer);
    this.backoff.reset();
    const interval = welcome.heartbeatIntervalMs || DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.heartbeatTimer = setInterval(() => this.send(stream, { $case: 'heartbeat', value: { sentAtUnixMs: BigInt(Date.now()) } }), interval);
    this.options.observer?.welcomed?.(welcome);
    this.reports.requeueAll();
    this.flushReports();
    this.checkRenewal();
  }

  private enqueue(work: () => Promise<void>): void {
    this.inbound = this.inbound.then(work).catch((error: unknown) => this.logger.error(`handling a hub message failed: ${(error as Error).stack ?? String(error)}`));
  }

  // ── desired state ───────────────────────────────────────────────────────────────────────────

  private async onDesired(stream: Stream, desired: Desired): Promise<void> {
    const verdict = await this.held.receiveDesired(desired);
    if (verdict.action === 'reject') return this.reject('desired', desired.bundle, desired.generation, verdict.reason);
    this.options.observer?.received?.('desired', desired.bundle, verdict.action === 'accept' ? 'accepted' : 'duplicate');
    this.ack(stream, desired.bundle, desired.generation);
    if (verdict.action === 'accept') this.held.handOver(verdict.record);
  }

  private async onRemove(stream: Stream, remove: Remove): Promise<void> {
    const verdict = await this.held.receiveRemove(remove);
    if (verdict.action === 'reject') return this.reject('remove', remove.bundle, remove.generation, verdict.reason);
    this.options.observer?.received?.('remove', remove.bundle, verdict.action === 'accept' ? 'accepted' : 'duplicate');
    this.ack(stream, remove.bundle, remove.generation);
    if (verdict.action === 'accept') this.held.handOver(verdict.record);
  }

  private reject(kind: 'desired' | 'remove', bundle: string, generation: bigint, reason: string): void {
    this.logger.warn(`refused bundle ${bundle} generation ${generation}: ${reason}`);
    this.options.observer?.rejected?.(bundle, reason);
    this.options.observer?.received?.(kind, bundle, 'rejected');
  }

  /** Acknowledges on the stream the message came on; a stream that died meanwhile learns it from the next Hello. */
  private ack(stream: Stream, bundle: string, generation: bigint): void {
    if (stream !== this.stream || this.stopped) return;
    this.send(stream, { $case: 'ack', value: { bundle, generation } });
    this.options.observer?.acked?.(bundle, generation);
  }

  // ── reports ─────────────────────────────────────────────────────────────────────────────────

  private report(report: BundleReport): void {
    this.reports.put(report);
    this.flushReports();
  }

  /** Sends queued reports until the stream pushes back; 'drain' resumes. Disconnected, they wait (newest per bundle). */
  private flushReports(): void {
    const stream = this.stream;
    if (!stream || !this.welcomed || this.backpressured) return;
    for (let report = this.reports.take(); report; report = this.reports.take()) {
      const written = this.send(stream, { $case: 'status', value: toBundleStatus(report) });
      this.options.observer?.statusSent?.(report.bundle);
      if (!written) {
        this.backpressured = true;
        stream.once('drain', () => {
          if (stream !== this.stream) return;
          this.backpressured = false;
          this.flushReports();
        });
        return;
      }
    }
  }

  // ── certificate renewal ─────────────────────────────────────────────────────────────────────

  /** Asks for a new certificate (same key) once less than a third of the current one's lifetime is left. */
  private checkRenewal(): void {
    const stream = this.stream;
    const identity = this.identity;
    if (!stream || !this.welcomed || !identity || this.renewalRequested) return;
    clearTimeout(this.renewalTimer);
    const { notBefore, notAfter } = describeCertificate(identity.certificatePem);
    const renewAt = notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) / 3;
    const wait = renewAt - Date.now();
    if (wait > 0) {
      this.renewalTimer = setTimeout(() => this.checkRenewal(), Math.min(wait, 2 ** 31 - 1));
      return;
    }
    this.renewalRequested = true;
    void createCsrForKey(AGENT_CSR_SUBJECT, identity.privateKeyPem).then(
      (csrPem) => {
        if (stream !== this.stream) return;
        this.send(stream, { $case: 'renew', value: { csrPem } });
        this.options.observer?.renewalRequested?.();
      },
      (error: unknown) => this.logger.error(`cannot make a renewal CSR: ${(error as Error).message}`),
    );
  }

  private async onCertificate(renewed: CertificateRenewed): Promise<void> {
    const identity = this.identity;
    if (!identity) return;
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(renewed.certificatePem);
      const sameKey = certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(new X509Certificate(identity.certificatePem).publicKey.export({ type: 'spki', format: 'der' }));
      if (!sameKey) throw new Error('it certifies another key');
      if (!certificate.verify(new X509Certificate(identity.caCertificatePem).publicKey)) throw new Error('the hub CA did not sign it');
      if (clusterUidOf(renewed.certificatePem) !== identity.clusterUid) throw new Error(`it does not name cluster ${identity.clusterUid}`);
    } catch (error) {
      this.logger.error(`refused a renewed certificate: ${(error as Error).message}`);
      return;
    }
    const next = { ...identity, certificatePem: renewed.certificatePem };
    await this.options.store.saveIdentity(next);
    // Used from the next stream on; the live one keeps the certificate it was opened with.
    this.identity = next;
    this.options.observer?.certificateRenewed?.(new Date(certificate.validTo));
    this.logger.log(`certificate renewed, valid until ${certificate.validTo}`);
    this.renewalRequested = false;
    this.checkRenewal();
  }
}
