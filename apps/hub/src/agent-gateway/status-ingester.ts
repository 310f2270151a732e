import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { changeToJSON, healthToJSON, phaseToJSON, type BundleStatus } from '@flotilla/protocol';
import { DataSource } from 'typeorm';

/** A status as received, with what orders it: generation, then stream, then sequence. */
export interface ReceivedStatus {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly stream: bigint;
  readonly seq: bigint;
  readonly status: BundleStatus;
}

interface ReceivedAck {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly generation: bigint;
}

const FLUSH_MS = 100;
const FLUSH_ROWS = 2_000;

function newer(a: ReceivedStatus, b: ReceivedStatus): boolean {
  const ga = a.status.generation;
  const gb = b.status.generation;
  return ga !== gb ? ga > gb : a.stream !== b.stream ? a.stream > b.stream : a.seq > b.seq;
}

/**
 * Writes acks and statuses in batches (UNNEST; one statement per kind per flush, never one row
 * per message): the latest status per BundleDeployment, plus a history row whenever phase,
 * health or generation changes. Within a batch only the newest status per key is kept, and in the
 * database a stale status (older generation, or older stream/sequence) never overwrites a newer one.
 */
@Injectable()
export class StatusIngester implements OnApplicationShutdown {
  private readonly logger = new Logger(StatusIngester.name);
  private statuses = new Map<string, ReceivedStatus>();
  private acks = new Map<string, ReceivedAck>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private written = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** Statuses committed since the hub started (for metrics and benchmarks). */
  get committedStatuses(): number {
    return this.written;
  }

  ack(ack: ReceivedAck): void {
    const key = `${ack.bundleId}/${ack.clusterId}`;
    const current = this.acks.get(key);
    if (!current || ack.generation > current.generation) this.acks.set(key, ack);
    this.schedule();
  }

  status(status: ReceivedStatus): void {
    const key = `${status.bundleId}/${status.clusterId}`;
    const current = this.statuses.get(key);
    if (!current || newer(status, current)) this.statuses.set(key, status);
    this.schedule();
  }

  /** Resolves once everything received before the call is committed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const statuses = [...this.statuses.values()];
    const acks = [...this.acks.values()];
    this.statuses = new Map();
    this.acks = new Map();
    this.flushing = this.flushing.then(() => this.write(statuses, acks)).catch((error: Error) => this.logger.error(`status ingestion failed: ${error.message}`));
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    if (this.statuses.size + this.acks.size >= FLUSH_ROWS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async write(statuses: ReceivedStatus[], acks: ReceivedAck[]): Promise<void> {
    if (acks.length > 0) {
      await this.dataSource.query(
        `INSERT INTO bundle_statuses AS s (bundle_id, cluster_id, acked_generation)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[])
         ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET acked_generation = EXCLUDED.acked_generation, updated_at = now()
         WHERE s.acked_generation IS NULL OR s.acked_generation < EXCLUDED.acked_generation`,
        [acks.map((a) => a.bundleId), acks.map((a) => a.clusterId), acks.map((a) => a.generation.toString())],
      );
    }
    if (statuses.length === 0) return;
    const column = <T>(pick: (status: ReceivedStatus) => T) => statuses.map(pick);
    await this.dataSource.query(
      `WITH incoming AS (
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bool[],
                              $9::int[], $10::bool[], $11::text[], $12::jsonb[], $13::timestamptz[])
           AS u(bundle_id, cluster_id, generation, stream, seq, phase, health, terminal, drifted_fields, fighting, reason, resources, observed_at)
       ),
       previous AS (
         SELECT s.bundle_id, s.cluster_id, s.generation, s.phase, s.health FROM bundle_statuses s JOIN incoming i USING (bundle_id, cluster_id)
       ),
       upserted AS (
         INSERT INTO bundle_statuses AS s (bundle_id, cluster_id, generation, stream, seq, phase, health, terminal, drifted_fields, fighting, reason, resources, observed_at, updated_at)
         SELECT i.*, now() FROM incoming i
         ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET
           generation = EXCLUDED.generation, stream = EXCLUDED.stream, seq = EXCLUDED.seq, phase = EXCLUDED.phase, health = EXCLUDED.health,
           terminal = EXCLUDED.terminal, drifted_fields = EXCLUDED.drifted_fields, fighting = EXCLUDED.fighting, reason = EXCLUDED.reason,
           resources = EXCLUDED.resources, observed_at = EXCLUDED.observed_at, updated_at = now()
         WHERE s.generation IS NULL OR (EXCLUDED.generation, EXCLUDED.stream, EXCLUDED.seq) > (s.generation, s.stream, s.seq)
         RETURNING s.bundle_id, s.cluster_id, s.generation, s.phase, s.health, s.reason
       )
       INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, reason)
       SELECT u.bundle_id, u.cluster_id, u.generation, u.phase, u.health, u.reason
         FROM upserted u LEFT JOIN previous p USING (bundle_id, cluster_id)
        WHERE p.bundle_id IS NULL OR p.generation IS DISTINCT FROM u.generation OR p.phase IS DISTINCT FROM u.phase OR p.health IS DISTINCT FROM u.health`,
      [
        column((s) => s.bundleId),
        column((s) => s.clusterId),
        column((s) => s.status.generation.toString()),
        column((s) => s.stream.toString()),
        column((s) => s.seq.toString()),
        column((s) => phaseToJSON(s.status.phase).replace(/^PHASE_/, '')),
        column((s) => healthToJSON(s.status.health).replace(/^HEALTH_/, '')),
        column((s) => s.status.terminal),
        column((s) => s.status.drift?.driftedFields ?? 0),
        column((s) => s.status.drift?.fighting ?? false),
        column((s) => s.status.reason.slice(0, 4_000)),
        column((s) => JSON.stringify(s.status.resources.map((r) => ({ ...r, change: changeToJSON(r.change).replace(/^CHANGE_/, ''), health: healthToJSON(r.health).replace(/^HEALTH_/, '') })))),
        column((s) => new Date(Number(s.status.observedAtUnixMs) || Date.now())),
      ],
    );
    this.written += statuses.length;
  }
}
