import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ACK_UPSERT_SQL,
  historyEntryOf,
  STATUS_UPSERT_SQL,
  statusUpsertParameters,
  type HistoryEntry,
  type ReceivedAck,
  type ReceivedStatus,
  type StatusUpsertResult,
} from './status-upsert.sql.js';

export type { ReceivedAck, ReceivedStatus } from './status-upsert.sql.js';

/** When idle, how long the first message waits for company before its batch is written. */
const GATHER_MS = 20;
/** Rows per statement; a larger backlog is written as several statements. */
const MAX_STATEMENT_ROWS = 2_000;
/**
 * Statuses (history candidates) per statement. Ten thousand agents resuming at once can bring
 * dozens of statuses each: one statement for all of them would hold the event loop while it is
 * built and commit nothing for many seconds.
 */
const MAX_STATEMENT_STATUSES = 10_000;
/**
 * Statuses waiting behind the write in flight at which the ingester is backlogged: the gateway then
 * stops reading the streams that keep sending until the next batch is taken, so the agents' own
 * queues (newest report per bundle) absorb the surplus and the hub's memory stays bounded.
 */
export const STATUS_BACKLOG_LIMIT = 20_000;
/** Deployments and acks waiting that force a write even while one is in flight (memory stays bounded). */
const MAX_PENDING_ROWS = 2 * STATUS_BACKLOG_LIMIT;
const RETRY_MS = 1_000;
/** Statuses one deployment may gather between two writes for history (an agent flapping faster loses the oldest ones). */
export const MAX_HISTORY_PER_KEY = 64;

const sqlState = (error: unknown): string => String((error as { code?: unknown }).code ?? '');
/**
 * Errors in the rows themselves (SQLSTATE class 22, data exception; 23, integrity constraint violation):
 * the same rows fail again however often they are retried, where a lost connection or a timeout does not.
 */
const isRowError = (error: unknown): boolean => /^2[23]/.test(sqlState(error));

/** One deployment's statuses waiting to be written. */
interface Pending {
  latest: ReceivedStatus;
  readonly history: HistoryEntry[];
}

function newer(a: ReceivedStatus, b: ReceivedStatus): boolean {
  const ga = a.status.generation;
  const gb = b.status.generation;
  return ga !== gb ? ga > gb : a.stream !== b.stream ? a.stream > b.stream : a.seq > b.seq;
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deployments in statement-sized groups: at most MAX_STATEMENT_ROWS of them, and MAX_STATEMENT_STATUSES statuses (one deployment's are never split). */
function statusStatements(pending: readonly Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let statuses = 0;
  for (const deployment of pending) {
    if (current.length > 0 && (current.length >= MAX_STATEMENT_ROWS || statuses + deployment.history.length > MAX_STATEMENT_STATUSES)) {
      out.push(current);
      current = [];
      statuses = 0;
    }
    current.push(deployment);
    statuses += deployment.history.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Writes acks and statuses in batches (UNNEST; one statement per kind per batch, never one row
 * per message): the latest status per BundleDeployment, plus a history row for every status that
 * changes phase, health or generation — also when several of one deployment share a batch. Group
 * commit: while a batch is being written the next one gathers, and is written as soon as the
 * first is done, so the batch size follows the load. In the database a stale status never
 * overwrites a newer one. A failed write is retried with what arrived meanwhile, so a database
 * hiccup loses nothing.
 */
@Injectable()
export class StatusIngester implements OnApplicationShutdown {
  private readonly logger = new Logger(StatusIngester.name);
  private statuses = new Map<string, Pending>();
  /** History entries in `statuses`: every status received and not yet taken into a write. */
  private pendingStatuses = 0;
  private relievedListeners: (() => void)[] = [];
  private acks = new Map<string, ReceivedAck>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private writing = 0;
  private latestWritten = 0;
  private historyWritten = 0;
  private rowsDropped = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** Deployments whose latest state a write changed, summed over writes since the hub started. */
  get committedStatuses(): number {
    return this.latestWritten;
  }

  /** History rows committed since the hub started. */
  get committedHistory(): number {
    return this.historyWritten;
  }

  /** Deployments' statuses and acks dropped since the hub started because the database refuses them. */
  get droppedRows(): number {
    return this.rowsDropped;
  }

  /** Too much is waiting behind the write in flight: whoever can, should stop sending until relieved. */
  get backlogged(): boolean {
    return this.pendingStatuses >= STATUS_BACKLOG_LIMIT;
  }

  /** Calls `listener` once, when the next batch is taken for writing (the backlog is then empty). */
  whenRelieved(listener: () => void): void {
    this.relievedListeners.push(listener);
  }

  ack(ack: ReceivedAck): void {
    this.putAck(ack);
    this.schedule();
  }

  status(status: ReceivedStatus): void {
    this.putStatus(status);
    this.schedule();
  }

  /** Resolves once everything received before the call is committed (or has failed and is queued again). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const statuses = [...this.statuses.values()];
    const acks = [...this.acks.values()];
    this.statuses = new Map();
    this.pendingStatuses = 0;
    this.acks = new Map();
    this.relieve();
    this.writing++;
    this.flushing = this.flushing
      .then(() => this.write(statuses, acks))
      .catch((error: Error) => {
        this.logger.error(`status ingestion failed (${statuses.length} statuses, ${acks.length} acks kept for a retry): ${error.message}`);
        for (const ack of acks) this.putAck(ack);
        for (const pending of statuses) this.putBack(pending);
        this.timer ??= setTimeout(() => void this.flush(), RETRY_MS);
      })
      .finally(() => {
        this.writing--;
        // Group commit: what gathered during the write goes at once.
        if (this.writing === 0 && this.timer === undefined && this.pending > 0) void this.flush();
      });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private relieve(): void {
    const listeners = this.relievedListeners;
    this.relievedListeners = [];
    for (const listener of listeners) listener();
  }

  private get pending(): number {
    return this.statuses.size + this.acks.size;
  }

  private putAck(ack: ReceivedAck): void {
    const key = `${ack.bundleId}/${ack.clusterId}`;
    const current = this.acks.get(key);
    if (!current || ack.generation > current.generation) this.acks.set(key, ack);
  }

  private putStatus(status: ReceivedStatus): void {
    const key = `${status.bundleId}/${status.clusterId}`;
    const current = this.statuses.get(key);
    if (!current) {
      this.statuses.set(key, { latest: status, history: [historyEntryOf(status)] });
      this.pendingStatuses++;
      return;
    }
    if (!newer(status, current.latest)) return; // stale: a newer one is already waiting
    current.latest = status;
    // Every status goes to the statement: it decides which change something, against the stored one.
    current.history.push(historyEntryOf(status));
    this.pendingStatuses++;
    if (current.history.length > MAX_HISTORY_PER_KEY) {
      current.history.shift();
      this.pendingStatuses--;
    }
  }

  /** A batch whose write failed goes back in front of what arrived meanwhile. */
  private putBack(failed: Pending): void {
    const key = `${failed.latest.bundleId}/${failed.latest.clusterId}`;
    const arrived = this.statuses.get(key);
    if (!arrived) {
      this.statuses.set(key, failed);
      this.pendingStatuses += failed.history.length;
      return;
    }
    const joined = [...failed.history, ...arrived.history].sort((a, b) => (a.generation !== b.generation ? cmp(a.generation, b.generation) : a.stream !== b.stream ? cmp(a.stream, b.stream) : cmp(a.seq, b.seq)));
    const history = joined.slice(-MAX_HISTORY_PER_KEY);
    this.pendingStatuses += history.length - arrived.history.length;
    this.statuses.set(key, { latest: newer(arrived.latest, failed.latest) ? arrived.latest : failed.latest, history });
  }

  private schedule(): void {
    if (this.pending >= MAX_PENDING_ROWS) void this.flush();
    else if (this.writing === 0) this.timer ??= setTimeout(() => void this.flush(), GATHER_MS);
    // else: the write in flight flushes what gathered when it ends.
  }

  private async write(statuses: Pending[], acks: ReceivedAck[]): Promise<void> {
    for (const batch of chunks(acks, MAX_STATEMENT_ROWS)) {
      await this.isolating(
        batch,
        async (rows) => {
          await this.dataSource.query(ACK_UPSERT_SQL, [rows.map((a) => a.bundleId), rows.map((a) => a.clusterId), rows.map((a) => a.generation.toString())]);
        },
        (ack) => `ack of bundle ${ack.bundleId} on cluster ${ack.clusterId} (generation ${ack.generation})`,
      );
    }
    for (const batch of statusStatements(statuses)) {
      await this.isolating(
        batch,
        async (rows) => {
          const [result] = (await this.dataSource.query(STATUS_UPSERT_SQL, statusUpsertParameters(rows))) as StatusUpsertResult[];
          this.latestWritten += result?.latest ?? 0;
          this.historyWritten += result?.history ?? 0;
        },
        ({ latest }) => `status of bundle "${latest.status.bundle}" (id ${latest.bundleId}) on cluster ${latest.clusterId} (generation ${latest.status.generation})`,
      );
    }
  }

  /**
   * Writes `rows` in one statement. When the rows themselves make it fail, halves them until the rows at
   * fault stand alone, drops those with an error naming them, and writes the rest: one row the database
   * refuses must not hold back every cluster's statuses, retried forever. Any other error is the caller's
   * (the whole write is retried; rows already written are written again harmlessly).
   */
  private async isolating<T>(rows: readonly T[], write: (rows: readonly T[]) => Promise<void>, describe: (row: T) => string): Promise<void> {
    try {
      await write(rows);
    } catch (error) {
      if (!isRowError(error)) throw error;
      if (rows.length === 1) {
        this.rowsDropped++;
        this.logger.error(`dropped the ${describe(rows[0]!)}: the database refuses it (${sqlState(error)}: ${(error as Error).message})`);
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.isolating(rows.slice(0, half), write, describe);
      await this.isolating(rows.slice(half), write, describe);
    }
  }
}
