import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage } from '@flotilla/protocol';
import type { OutgoingHubMessage } from './hub-message.codec.js';

/** What an agent holds of one bundle: from its Hello, then from its acks. */
export interface HeldBundle {
  readonly generation: bigint;
  readonly hash: string;
  readonly removed: boolean;
}

/**
 * One live agent stream. Outgoing messages are coalesced per bundle (only the newest waits) and
 * written one at a time, waiting for 'drain' when the stream pushes back, so a slow agent holds
 * at most one message per bundle and slows nobody else.
 */
export class AgentSession {
  readonly held = new Map<string, HeldBundle>();
  /** Highest generation sent per bundle on this stream (acked or not). */
  readonly sent = new Map<string, bigint>();
  /** Bundle name → bundle id, for the bundles this cluster has rows for. */
  bundleIds = new Map<string, string>();
  lastSeen = Date.now();
  /** The last-seen time last written to the database (connecting wrote it). */
  recordedSeen = this.lastSeen;
  private readonly queue = new Map<string, OutgoingHubMessage>();
  /** Set while the stream pushes back: the queue waits for 'drain'. */
  private draining = false;
  private closed = false;
  private readingPaused = false;
  /** Messages written to the stream (tests count them). */
  written = 0;

  /** The highest generation of a bundle this stream knows of: sent by the hub, or held by the agent. */
  knownGeneration(bundle: string): bigint {
    const sent = this.sent.get(bundle) ?? 0n;
    const held = this.held.get(bundle)?.generation ?? 0n;
    return sent > held ? sent : held;
  }

  constructor(
    readonly clusterId: string,
    /** Serial of the client certificate the stream was opened with (a revocation of it closes the stream). */
    readonly certificateSerial: string,
    readonly stream: bigint,
    private readonly call: grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>,
    private readonly onClosed: (session: AgentSession) => void,
  ) {
    // A paused Node stream still reads ahead up to its high-water mark: 16 decoded messages per
    // stream in object mode, which across 10,000 paused agents is gigabytes. One is enough: while
    // flowing, each message is handed on as it arrives and the mark is never reached.
    (call as unknown as { _readableState: { highWaterMark: number } })._readableState.highWaterMark = 1;
    const finish = () => this.markClosed();
    call.on('close', finish);
    call.on('error', finish);
    call.on('cancelled', finish);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The hub has stopped reading this stream (see pauseReading): its silence is the hub's doing. */
  get isReadingPaused(): boolean {
    return this.readingPaused;
  }

  /**
   * Stops reading the agent's messages until resumeReading(): grpc-js stops taking frames, HTTP/2
   * flow control fills, and the agent's writes push back, so it keeps its newest report per bundle
   * instead of the hub holding every one. False if it was already paused (or closed).
   */
  pauseReading(): boolean {
    if (this.readingPaused || this.closed) return false;
    this.readingPaused = true;
    this.call.pause();
    return true;
  }

  resumeReading(): void {
    if (!this.readingPaused) return;
    this.readingPaused = false;
    this.lastSeen = Date.now(); // silence while paused was the hub's own doing
    if (!this.closed) this.call.resume();
  }

  /** Writes now (control messages such as Welcome), bypassing the per-bundle queue. */
  sendNow(message: OutgoingHubMessage): void {
    if (this.closed) return;
    this.call.write(message);
    this.written += 1;
  }

  /** Queues the newest message for a bundle, replacing an older one still waiting. */
  enqueue(bundle: string, message: OutgoingHubMessage): void {
    if (this.closed) return;
    this.queue.delete(bundle);
    this.queue.set(bundle, message);
    this.pump();
  }

  /** Ends the stream with a status the agent sees (e.g. replaced, revoked, silent). */
  close(code: grpc.status, details: string): void {
    if (this.closed) return;
    if (code === 0) this.call.end();
    else this.call.emit('error', { code, details });
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.onClosed(this);
  }

  /** Writes queued messages until the stream pushes back; 'drain' resumes (no promise or closure per message). */
  private pump(): void {
    if (this.draining) return;
    for (const [bundle, message] of this.queue) {
      if (this.closed) return;
      this.queue.delete(bundle);
      this.written += 1;
      if (!this.call.write(message)) {
        this.draining = true;
        this.call.once('drain', this.resume);
        return;
      }
    }
  }

  private readonly resume = (): void => {
    this.draining = false;
    this.pump();
  };
}
