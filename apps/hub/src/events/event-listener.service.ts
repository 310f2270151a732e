import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { DeliveryWindow } from './delivery-window.js';
import { EventBus } from './event-bus.js';
import { EventRepository } from './event.repository.js';
import { EVENTS_CHANNEL, TOKEN_REVOKED_CHANNEL, type EventKind, type EventRecord } from './event.types.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const CATCH_UP_BATCH = 1_000;

/** One event as the notify trigger announces it: whole, or by id only when too large for a payload. */
interface AnnouncedEvent {
  readonly id: string;
  readonly kind?: EventKind;
  readonly subject?: string;
  readonly occurredAt?: string;
  readonly data?: Record<string, unknown>;
}

/** A LISTEN connection that went silent (a dead peer without a TCP reset) is found by this probe. */
const PROBE_INTERVAL_MS = 15_000;

/** The application_name of the LISTEN connection, so operators (and tests) can find it in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'flotilla-events-listener';

type Notice = { readonly channel: string; readonly payload: string };

/**
 * One dedicated PostgreSQL connection per hub (not from the pool: a pooled connection would lose
 * its LISTEN when returned) that receives the triggers' notifications and publishes the events to
 * the in-process EventBus, in commit order and without duplicates. When the connection drops it
 * reconnects with exponential backoff, LISTENs again, and then reads everything committed in the
 * meantime (by id, including ids that were skipped over and may have committed late) before any
 * notification that arrived since — so subscribers miss nothing across a reconnect.
 */
@Injectable()
export class EventListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventListener.name);
  private client: pg.Client | undefined;
  private window: DeliveryWindow | undefined;
  private readonly pending: Notice[] = [];
  private draining = false;
  private catchingUp = false;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly revokedListeners = new Set<(tokenId: string) => void>();
  private readonly reconnectedListeners = new Set<() => void>();
  private connections = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventRepository,
    private readonly bus: EventBus,
  ) {}

  /** Times the LISTEN connection was (re)established since start. */
  get connectionCount(): number {
    return this.connections;
  }

  /** Called with the id of every token revoked or deleted, on any hub replica. */
  onTokenRevoked(listener: (tokenId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Called after a lost connection is back: notifications sent meanwhile (e.g. revocations) were missed. */
  onReconnected(listener: () => void): () => void {
    this.reconnectedListeners.add(listener);
    return () => this.reconnectedListeners.delete(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl(), application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      if (client !== this.client) return;
      this.pending.push({ channel: message.channel, payload: message.payload ?? '' });
      void this.drain();
    });
    this.catchingUp = true;
    this.client = client;
    const first = this.window === undefined;
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      // Listening before reading: anything committed from here on is either in the read or notified.
      if (first) this.window = new DeliveryWindow(await this.events.newestId());
      else await this.catchUp();
    } catch (error) {
      this.catchingUp = false;
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    this.connections += 1;
    this.catchingUp = false;
    this.attempt = 0;
    if (!first) {
      this.logger.log(`LISTEN connection re-established; caught up to event ${this.window!.last}`);
      for (const listener of this.reconnectedListeners) listener();
    }
    void this.drain();
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client || this.stopped) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.logger.warn(`LISTEN connection lost (${error.message}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: Error) => {
        this.logger.warn(`LISTEN reconnect failed (${error.message}); retrying`);
        this.scheduleReconnect();
      });
    }, delay);
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private async catchUp(): Promise<void> {
    const window = this.window!;
    for (;;) {
      const plan = window.plan();
      const missed = await this.events.since(plan.after, plan.gaps, CATCH_UP_BATCH);
      for (const event of missed) this.deliver(event);
      if (missed.length < CATCH_UP_BATCH) return;
    }
  }

  /** Handles notifications one at a time, in arrival (commit) order, never during a catch-up. */
  private async drain(): Promise<void> {
    if (this.draining || this.catchingUp) return;
    this.draining = true;
    try {
      while (this.pending.length > 0 && !this.catchingUp) {
        const notice = this.pending.shift()!;
        try {
          await this.handle(notice);
        } catch (error) {
          this.logger.error(`could not handle a ${notice.channel} notification: ${(error as Error).message}`);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(notice: Notice): Promise<void> {
    if (notice.channel === TOKEN_REVOKED_CHANNEL) {
      for (const listener of this.revokedListeners) listener(notice.payload);
      return;
    }
    if (notice.channel !== EVENTS_CHANNEL) return;
    // A run of events in id order (or, from a database not yet migrated, one event).
    const parsed = JSON.parse(notice.payload) as AnnouncedEvent | AnnouncedEvent[];
    for (const announced of Array.isArray(parsed) ? parsed : [parsed]) {
      // Events too large for NOTIFY are announced by id only: read the row.
      const event: EventRecord | undefined =
        announced.kind === undefined
          ? await this.events.byId(BigInt(announced.id))
          : { id: announced.id, kind: announced.kind, subject: announced.subject!, occurredAt: new Date(announced.occurredAt!), data: announced.data ?? {} };
      if (event) this.deliver(event);
    }
  }

  private deliver(event: EventRecord): void {
    if (this.window!.admit(BigInt(event.id))) this.bus.publish(event);
  }

  private databaseUrl(): string {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('the event listener needs the database URL the hub connected with');
    return url;
  }
}
