import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { clusterUidOf, describeCertificate } from '@flotilla/pki';
import {
  MISSED_HEARTBEATS_BEFORE_DISCONNECTED,
  PROTOCOL_VERSION,
  type AgentMessage,
} from '@flotilla/protocol';
import { ClusterEvents } from '../clusters/cluster-events.js';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { CertificateRevocations } from '../pki/certificate-revocations.js';
import { canonicalSerial, HubPki } from '../pki/hub-pki.service.js';
import { DesiredStateEvents } from '../target-state/desired-state-events.js';
import { AdmissionGate, AdmissionGateFullError } from './admission-gate.js';
import { AgentSession } from './agent-session.js';
import { ConnectionRecorder } from './connection-recorder.js';
import { DesiredStateReader, type DesiredEntry } from './desired-state.reader.js';
import { AgentStreamServerCredentials } from './gateway-server.credentials.js';
import { gatewayServerOptions } from './gateway-server.options.js';
import { GATEWAY_SERVICE, type OutgoingHubMessage } from './hub-message.codec.js';
import { negotiateProtocol } from './protocol-negotiation.util.js';
import { StatusIngester } from './status-ingester.js';

const HELLO_TIMEOUT_MS = 10_000;
/**
 * Connect storms: at most this many certificate checks and Hellos are worked on at once (each is a
 * few database round trips); the rest wait their turn, and beyond the queue limit they are refused
 * with RESOURCE_EXHAUSTED so the agents back off. Streams already connected are never starved.
 */
const ADMISSION_ACTIVE = 16;
const ADMISSION_WAITING = 10_000;

/**
 * The agents' stream (mutual TLS; the cluster is the one the client certificate names). One live
 * stream per cluster — a new one replaces the old. From Hello the hub sends only what the agent
 * lacks; afterwards, each desired-state change. Acks and statuses go to the batched ingester.
 */
@Injectable()
export class AgentGatewayServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AgentGatewayServer.name);
  private server?: grpc.Server;
  private boundPort = 0;
  private readonly sessions = new Map<string, AgentSession>();
  private monitor?: NodeJS.Timeout;
  private shuttingDown = false;
  readonly admission = new AdmissionGate(ADMISSION_ACTIVE, ADMISSION_WAITING);
  private refusedAdmissions = 0;
  private pausedReads = 0;
  readonly heartbeatIntervalMs: number;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly pki: HubPki,
    private readonly reader: DesiredStateReader,
    private readonly ingester: StatusIngester,
    private readonly connections: ConnectionRecorder,
    private readonly desiredEvents: DesiredStateEvents,
    private readonly clusterEvents: ClusterEvents,
    private readonly revocations: CertificateRevocations,
  ) {
    this.heartbeatIntervalMs = config.agents.heartbeatIntervalMs;
  }

  get port(): number {
    return this.boundPort;
  }

  get streamCount(): number {
    return this.sessions.size;
  }

  /** Connects refused because the admission queue was full. */
  get admissionRefused(): number {
    return this.refusedAdmissions;
  }

  /** Times a stream's reading was paused because status ingestion was backlogged. */
  get readsPaused(): number {
    return this.pausedReads;
  }

  /** The live session of a cluster, if any (tests and the fleet summary read it). */
  session(clusterId: string): AgentSession | undefined {
    return this.sessions.get(clusterId);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connections.resetAll();
    const tls = await this.pki.serverTls();
    const server = new grpc.Server(gatewayServerOptions());
    const implementation: grpc.UntypedServiceImplementation = {
      // Nothing may escape a stream handler: a database hiccup closes that stream, never the hub.
      connect: (call: grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>) =>
        void this.accept(call).catch((error: Error) => {
          this.logger.error(`accepting an agent stream failed: ${error.message}`);
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the hub could not accept the stream now; retry' });
        }),
    };
    server.addService(GATEWAY_SERVICE, implementation);
    const credentials = new AgentStreamServerCredentials(tls.caCertificatePem, tls.privateKeyPem, tls.certificatePem);
    const host = this.config.bindAddress.includes(':') ? `[${this.config.bindAddress}]` : this.config.bindAddress;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${this.config.grpcPort}`, credentials, (error, port) =>
        error ? reject(new Error(`FLOTILLA_GRPC_PORT: cannot listen on ${host}:${this.config.grpcPort}: ${error.message}`)) : resolve(port),
      ),
    );
    this.server = server;
    this.desiredEvents.subscribe((clusterIds) => void this.push(clusterIds).catch((error: Error) => this.logger.error(`pushing a desired-state change failed: ${error.message}`)));
    this.clusterEvents.subscribe((change) => {
      if (change.kind === 'deleted') this.sessions.get(change.clusterId)?.close(grpc.status.UNAUTHENTICATED, 'the cluster was deregistered');
    });
    this.revocations.subscribe(({ clusterId, serials }) => {
      const session = this.sessions.get(clusterId);
      if (!session || !serials.has(session.certificateSerial)) return 0;
      session.close(grpc.status.UNAUTHENTICATED, 'the certificate was revoked');
      return 1;
    });
    this.monitor = setInterval(() => void this.sweep(), Math.max(50, Math.floor(this.heartbeatIntervalMs / 2)));
    this.monitor.unref();
    this.logger.log(`agent stream listening on ${this.config.bindAddress}:${this.boundPort} (mutual TLS)`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.monitor);
    const open = [...this.sessions.keys()];
    this.shuttingDown = true;
    for (const session of this.sessions.values()) session.close(grpc.status.UNAVAILABLE, 'the hub is shutting down');
    this.sessions.clear();
    this.server?.forceShutdown();
    await this.ingester.flush();
    // Recorded here, while the database is still open (not from each stream's close event).
    await this.connections.disconnected(open).catch((error: Error) => this.logger.error(`recording disconnects at shutdown failed: ${error.message}`));
  }

  private async accept(call: grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>): Promise<void> {
    const refuse = (code: grpc.status, details: string): void => {
      this.logger.warn(`refused an agent stream from ${call.getPeer()}: ${details}`);
      call.emit('error', { code, details });
    };
    const peer = call.getAuthContext().sslPeerCertificate;
    const pem = peer?.raw ? `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64')}\n-----END CERTIFICATE-----\n` : undefined;
    const clusterId = pem ? clusterUidOf(pem) : undefined;
    if (!pem || !clusterId) return refuse(grpc.status.UNAUTHENTICATED, 'the client certificate names no cluster');
    let admitted: { refusal: string | undefined; stream: bigint };
    try {
      admitted = await this.admission.run(this.admit.bind(this, pem, clusterId));
    } catch (error) {
      if (error instanceof AdmissionGateFullError) {
        this.refusedAdmissions++;
        return refuse(grpc.status.RESOURCE_EXHAUSTED, `the hub is busy admitting other agents (${error.message}); retry later`);
      }
      throw error;
    }
    if (admitted.refusal) return refuse(grpc.status.UNAUTHENTICATED, admitted.refusal);
    if (call.cancelled) return;

    const session = new AgentSession(clusterId, canonicalSerial(describeCertificate(pem).serialNumber), admitted.stream, call, (closed) => this.closed(closed));
    const previous = this.sessions.get(clusterId);
    this.sessions.set(clusterId, session);
    previous?.close(grpc.status.ABORTED, 'replaced by a newer stream of the same cluster');

    const helloTimer = setTimeout(() => session.close(grpc.status.DEADLINE_EXCEEDED, `no Hello within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);
    let greeted = false;
    let expectedSeq = 1n;
    call.on('data', (message: AgentMessage) => {
      session.lastSeen = Date.now();
      if (message.seq < expectedSeq) return; // a duplicate or replay on this stream
      expectedSeq = message.seq + 1n;
      const body = message.body;
      if (!greeted) {
        if (body?.$case !== 'hello') return session.close(grpc.status.FAILED_PRECONDITION, 'the first message of a stream must be Hello');
        greeted = true;
        clearTimeout(helloTimer);
        const hello = body.value;
        void this.admission.run(() => this.greet(session, hello)).catch((error: Error) => {
          if (error instanceof AdmissionGateFullError) {
            this.refusedAdmissions++;
            return session.close(grpc.status.RESOURCE_EXHAUSTED, `the hub is busy admitting other agents (${error.message}); retry later`);
          }
          this.logger.error(`greeting cluster ${clusterId} failed: ${error.stack ?? error.message}`);
          session.close(grpc.status.INTERNAL, 'internal error');
        });
        return;
      }
      switch (body?.$case) {
        case 'ack': {
          const bundleId = session.bundleIds.get(body.value.bundle);
          const sent = session.sent.get(body.value.bundle);
          if (bundleId && sent !== undefined && body.value.generation <= sent) {
            this.ingester.ack({ bundleId, clusterId, generation: body.value.generation });
          }
          break;
        }
        case 'status': {
          const bundleId = session.bundleIds.get(body.value.bundle);
          // A status of a generation this stream never saw is invented: dropped, it can never poison a batch.
          if (bundleId && body.value.generation <= session.knownGeneration(body.value.bundle)) {
            this.ingester.status({ bundleId, clusterId, stream: session.stream, seq: message.seq, status: body.value });
            if (this.ingester.backlogged && session.pauseReading()) {
              this.pausedReads++;
              this.ingester.whenRelieved(() => session.resumeReading());
            }
          }
          break;
        }
        case 'renew':
          void this.renew(session, body.value.csrPem);
          break;
        default:
          break; // heartbeats only refresh lastSeen
      }
    });
    call.on('end', () => session.close(grpc.status.OK, 'the agent ended the stream'));
    call.on('error', () => clearTimeout(helloTimer));
  }

  // Bound, not wrapped in a closure, from accept(): a live stream's handlers keep accept's scope, which must not hold the certificate.
  private async admit(pem: string, clusterId: string): Promise<{ refusal: string | undefined; stream: bigint }> {
    const refusal = await this.pki.refusalOf(pem, clusterId).catch((error: Error) => `cannot check the certificate: ${error.message}`);
    return { refusal, stream: refusal ? 0n : await this.connections.nextStreamNumber() };
  }

  private async greet(session: AgentSession, hello: Extract<AgentMessage['body'], { $case: 'hello' }>['value']): Promise<void> {
    if (!session.isOpen) return; // it left while waiting for admission
    const verdict = negotiateProtocol(hello.protocolVersion);
    if (!verdict.accepted) return session.close(grpc.status.FAILED_PRECONDITION, verdict.reason);
    let highest = 0n;
    for (const known of hello.known) {
      session.held.set(known.bundle, { generation: known.generation, hash: known.hash, removed: known.removed });
      if (known.generation > highest) highest = known.generation;
    }
    if (highest > 0n) await this.reader.raiseGenerationFloor(highest);
    await this.connections.connected(session.clusterId, { agent: hello.agentVersion, protocol: hello.protocolVersion, kubernetes: hello.kubernetesVersion });
    session.sendNow({ body: { $case: 'welcome', value: { protocolVersion: PROTOCOL_VERSION, clusterUid: session.clusterId, heartbeatIntervalMs: this.heartbeatIntervalMs } } });
    await this.sync(session);
  }

  /** A desired-state change: the connected clusters' rows are read together, then each session gets what it lacks. */
  private async push(clusterIds: ReadonlySet<string>): Promise<void> {
    const connected = [...clusterIds].filter((id) => this.sessions.has(id));
    this.logger.log(`desired state changed for ${clusterIds.size} cluster(s), ${connected.length} connected: pushing (at ${Date.now()} ms)`);
    if (connected.length === 0) return;
    const startedAt = performance.now();
    const entries = await this.reader.forClusters(connected);
    const readMs = Math.round(performance.now() - startedAt);
    for (const [clusterId, rows] of entries) {
      const session = this.sessions.get(clusterId);
      if (session) await this.sync(session, rows).catch((error: Error) => this.logger.error(`pushing to cluster ${clusterId} failed: ${error.message}`));
    }
    this.logger.log(`queued the push to ${connected.length} connected cluster(s) in ${Math.round(performance.now() - startedAt)} ms (desired state read in ${readMs} ms)`);
  }

  /** Queues what the agent lacks: entries above what it holds and above what this stream already sent. */
  private async sync(session: AgentSession, prefetched?: DesiredEntry[]): Promise<void> {
    if (!session.isOpen) return;
    const entries = prefetched ?? (await this.reader.forCluster(session.clusterId));
    if (entries.length !== session.bundleIds.size || entries.some((entry) => session.bundleIds.get(entry.bundle) !== entry.bundleId)) {
      session.bundleIds = new Map(entries.map((entry) => [entry.bundle, entry.bundleId]));
    }
    for (let entry of entries) {
      const held = session.held.get(entry.bundle);
      const sent = session.sent.get(entry.bundle) ?? 0n;
      if (held && held.generation >= entry.generation) {
        const same = held.hash === entry.hash && held.removed === (entry.removal !== null);
        if (same) continue;
        // The agent holds a newer generation with other content (a restored database): re-issue above it.
        entry = await this.reader.reissue(entry, session.clusterId);
      }
      if (entry.generation <= sent) continue;
      const message = await this.reader.messageFor(entry);
      if (!message) {
        this.logger.error(`no stored content for ${entry.hash} (bundle ${entry.bundle}, cluster ${session.clusterId})`);
        continue;
      }
      session.sent.set(entry.bundle, entry.generation);
      session.enqueue(entry.bundle, message);
    }
  }

  private async renew(session: AgentSession, csrPem: string): Promise<void> {
    try {
      const issued = await this.pki.issueAgentCertificate(session.clusterId, csrPem);
      session.sendNow({ body: { $case: 'certificate', value: { certificatePem: issued.certificatePem, notAfterUnixMs: BigInt(issued.notAfter.getTime()) } } });
    } catch (error) {
      this.logger.warn(`certificate renewal for cluster ${session.clusterId} refused: ${(error as Error).message}`);
    }
  }

  private closed(session: AgentSession): void {
    if (this.shuttingDown || this.sessions.get(session.clusterId) !== session) return; // shutting down, or already replaced
    this.sessions.delete(session.clusterId);
    this.connections.disconnectedSoon(session.clusterId);
  }

  /**
   * Closes sessions silent for more than the allowed heartbeats. Records last-seen of the others
   * once it moved by a heartbeat interval since it was last written: the database's last-seen is for
   * people (disconnection is judged here, in memory), and rewriting every row each sweep would load
   * the database in proportion to the fleet for no news.
   */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const limit = this.heartbeatIntervalMs * MISSED_HEARTBEATS_BEFORE_DISCONNECTED;
    const seen: { session: AgentSession; recordedBefore: number }[] = [];
    for (const session of [...this.sessions.values()]) {
      if (session.isReadingPaused) continue; // the hub is not reading it: its silence says nothing
      if (now - session.lastSeen > limit) session.close(grpc.status.DEADLINE_EXCEEDED, `no message for ${MISSED_HEARTBEATS_BEFORE_DISCONNECTED} heartbeat intervals`);
      else if (session.lastSeen - session.recordedSeen >= this.heartbeatIntervalMs) {
        seen.push({ session, recordedBefore: session.recordedSeen });
        session.recordedSeen = session.lastSeen;
      }
    }
    await this.connections.seen(seen.map(({ session }) => ({ clusterId: session.clusterId, at: new Date(session.recordedSeen) }))).catch((error: Error) => {
      for (const { session, recordedBefore } of seen) session.recordedSeen = recordedBefore; // retried at the next sweep
      this.logger.error(`recording last-seen failed: ${error.message}`);
    });
  }
}
