import { changeToJSON, healthToJSON, phaseToJSON, type BundleStatus } from '@flotilla/protocol';

/** A status as received, with what orders it: generation, then stream, then sequence. */
export interface ReceivedStatus {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly stream: bigint;
  readonly seq: bigint;
  readonly status: BundleStatus;
}

/** An agent's acknowledgement that it persisted a generation of a bundle. */
export interface ReceivedAck {
  readonly bundleId: string;
  readonly clusterId: string;
  readonly generation: bigint;
}

/** Raises acked_generation of many BundleDeployments in one statement; never lowers it. */
export const ACK_UPSERT_SQL = `INSERT INTO bundle_statuses AS s (bundle_id, cluster_id, acked_generation)
  SELECT u.* FROM unnest($1::bigint[], $2::uuid[], $3::bigint[]) AS u(bundle_id, cluster_id, generation)
   WHERE EXISTS (SELECT 1 FROM bundles b WHERE b.id = u.bundle_id) AND EXISTS (SELECT 1 FROM clusters c WHERE c.id = u.cluster_id)
  ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET acked_generation = EXCLUDED.acked_generation, updated_at = now()
  WHERE s.acked_generation IS NULL OR s.acked_generation < EXCLUDED.acked_generation`;

/** One status of a batch as a candidate history row, with what orders it (generation, stream, sequence). */
export interface HistoryEntry {
  readonly generation: bigint;
  readonly stream: bigint;
  readonly seq: bigint;
  readonly phase: string;
  readonly health: string;
  readonly reason: string;
}

/**
 * The latest status of many BundleDeployments ($1-$13, unique per deployment: PostgreSQL refuses an
 * ON CONFLICT that touches one row twice) plus their history ($14-$21: every status of the batch,
 * oldest first). A status older than the stored one (generation, then stream, then sequence) never
 * overwrites it and brings no history; of the others, each that changes generation, phase or
 * health from the one before it — the stored one for the first — is a history row, so several
 * statuses of one deployment in a batch keep a row each and a flap is never lost. The benchmark
 * runs this very statement as the raw baseline of ingestion.
 */
export const STATUS_UPSERT_SQL = `WITH incoming AS (
    SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bool[],
                         $9::int[], $10::bool[], $11::text[], $12::jsonb[], $13::timestamptz[])
      AS u(bundle_id, cluster_id, generation, stream, seq, phase, health, terminal, drifted_fields, fighting, reason, resources, observed_at)
     -- A bundle or cluster deleted while its status waited: skip it rather than fail everyone's batch.
     WHERE EXISTS (SELECT 1 FROM bundles b WHERE b.id = u.bundle_id) AND EXISTS (SELECT 1 FROM clusters c WHERE c.id = u.cluster_id)
  ),
  previous AS (
    SELECT s.bundle_id, s.cluster_id, s.generation, s.stream, s.seq, s.phase, s.health FROM bundle_statuses s JOIN incoming i USING (bundle_id, cluster_id)
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
  ),
  candidates AS (
    SELECT c.*, p.bundle_id IS NOT NULL AND p.generation IS NOT NULL AS stored,
           CASE WHEN row_number() OVER w = 1 THEN p.generation ELSE lag(c.generation) OVER w END AS before_generation,
           CASE WHEN row_number() OVER w = 1 THEN p.phase ELSE lag(c.phase) OVER w END AS before_phase,
           CASE WHEN row_number() OVER w = 1 THEN p.health ELSE lag(c.health) OVER w END AS before_health,
           row_number() OVER w AS rn
      FROM unnest($14::bigint[], $15::uuid[], $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], $20::text[], $21::text[]) WITH ORDINALITY
             AS c(bundle_id, cluster_id, generation, stream, seq, phase, health, reason, ord)
      JOIN upserted u USING (bundle_id, cluster_id)
      LEFT JOIN previous p USING (bundle_id, cluster_id)
     WHERE p.bundle_id IS NULL OR p.generation IS NULL OR (c.generation, c.stream, c.seq) > (p.generation, p.stream, p.seq)
    WINDOW w AS (PARTITION BY c.bundle_id, c.cluster_id ORDER BY c.ord)
  ),
  history AS (
    INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, reason)
    SELECT bundle_id, cluster_id, generation, phase, health, reason FROM candidates
     WHERE (rn = 1 AND NOT stored) OR before_generation IS DISTINCT FROM generation OR before_phase IS DISTINCT FROM phase OR before_health IS DISTINCT FROM health
     ORDER BY ord
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM upserted)::int AS latest, (SELECT count(*) FROM history)::int AS history`;

/** What one STATUS_UPSERT_SQL statement wrote. */
export interface StatusUpsertResult {
  /** Rows whose latest state changed (stale statuses are not counted). */
  readonly latest: number;
  /** History rows appended (a change of generation, phase or health). */
  readonly history: number;
}

const enumName = (json: string, prefix: string): string => (json.startsWith(prefix) ? json.slice(prefix.length) : json);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MAX = 2 ** 31 - 1;
// PostgreSQL text and jsonb cannot hold NUL; an agent's string must never fail a whole batch.
const noNul = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text);
const int64 = (value: bigint): string => (value > INT64_MAX ? INT64_MAX : value).toString();
// Dates PostgreSQL accepts; anything else (0, negative, far future) is "received now".
const observedAt = (unixMs: bigint): Date => (unixMs > 0n && unixMs < 253_402_300_800_000n ? new Date(Number(unixMs)) : new Date());

/** The resources as stored: enum names without their prefix; NUL (which jsonb refuses) replaced. */
function resourcesJson(s: BundleStatus): string {
  const resources = s.resources.map((r) => ({ ...r, change: enumName(changeToJSON(r.change), 'CHANGE_'), health: enumName(healthToJSON(r.health), 'HEALTH_') }));
  const json = JSON.stringify(resources);
  // The replacer costs a call per value: only pay it when a NUL is there to replace.
  return json.includes('\\u0000') ? JSON.stringify(resources, (_key, value: unknown) => (typeof value === 'string' ? noNul(value) : value)) : json;
}

/** What a status contributes to history. */
export function historyEntryOf(received: ReceivedStatus): HistoryEntry {
  const s = received.status;
  return {
    generation: s.generation,
    stream: received.stream,
    seq: received.seq,
    phase: enumName(phaseToJSON(s.phase), 'PHASE_'),
    health: enumName(healthToJSON(s.health), 'HEALTH_'),
    reason: s.reason,
  };
}

/** One deployment's part of a batch: its newest status, and all its statuses oldest first (the newest included). */
export interface BatchedStatus {
  readonly latest: ReceivedStatus;
  readonly history: readonly HistoryEntry[];
}

/** The 21 parameters of STATUS_UPSERT_SQL, in its order. */
export function statusUpsertParameters(batch: readonly BatchedStatus[]): unknown[][] {
  const history: unknown[][] = Array.from({ length: 8 }, () => []);
  for (const { latest, history: entries } of batch) {
    for (const entry of entries) {
      history[0]!.push(latest.bundleId);
      history[1]!.push(latest.clusterId);
      history[2]!.push(int64(entry.generation));
      history[3]!.push(int64(entry.stream));
      history[4]!.push(int64(entry.seq));
      history[5]!.push(entry.phase);
      history[6]!.push(entry.health);
      history[7]!.push(noNul(entry.reason.slice(0, 4_000)));
    }
  }
  return [...latestColumns(batch.map((b) => b.latest)), ...history];
}

function latestColumns(statuses: readonly ReceivedStatus[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 13 }, () => new Array<unknown>(statuses.length));
  statuses.forEach((received, i) => {
    const s = received.status;
    const row = [
      received.bundleId,
      received.clusterId,
      int64(s.generation),
      int64(received.stream),
      int64(received.seq),
      enumName(phaseToJSON(s.phase), 'PHASE_'),
      enumName(healthToJSON(s.health), 'HEALTH_'),
      s.terminal,
      Math.min(s.drift?.driftedFields ?? 0, INT32_MAX),
      s.drift?.fighting ?? false,
      noNul(s.reason.slice(0, 4_000)),
      resourcesJson(s),
      observedAt(s.observedAtUnixMs),
    ];
    for (let c = 0; c < row.length; c++) columns[c]![i] = row[c];
  });
  return columns;
}
