// The GraphQL API under fleet scale: N clusters (10,000 by default) × 10 bundles of bundle-deployment rows, seeded
// with batched SQL, while statuses and heartbeats are written concurrently at a steady rate as batched upserts into
// the same tables the hub's status ingester writes (bundle_statuses with its history, cluster_connections) — the
// ingester's own statement shape, not agents over gRPC, so the figure is the API's and not the gateway's. Measured
// over HTTP GraphQL, one request at a time: the `fleet` summary, and a page of 50 clusters filtered by a label
// selector and the connection state (following endCursor). Uses FLOTILLA_BENCH_DATABASE_URL (an admin URL) or an
// embedded PostgreSQL. Also: an ingested status → its graphql-ws event at 100 subscribers (each its own socket). Usage: npm run bench:api [-- --clusters N --requests R --ingest-per-s S --explain]
import pg from 'pg';
import { startBenchHub, type BenchHub } from '../support/bench-hub.js';
import { subscribeMany } from '../support/graphql-subscriber.js';
import { integerOption } from './bench-args.mjs';


const clusterCount = integerOption('clusters', 10_000);
const requests = integerOption('requests', 200);
const ingestPerSecond = integerOption('ingest-per-s', 2_000);
const BUNDLES = 10;
const ENVS = ['prod', 'staging', 'dev'];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'];
const TICK_MS = 100;
const PHASES = ['APPLIED', 'APPLYING', 'FAILED'];
const HEALTHS = ['HEALTHY', 'PROGRESSING', 'DEGRADED'];

const FLEET_QUERY = `{ fleet { clusters clustersByConnection { value count } bundleDeployments bundleDeploymentsByPhase { value count }
  bundleDeploymentsByHealth { value count } drifted waitingForAdmission withErrors rolloutsByPhase { value count } pendingApprovals sources { name revision } } }`;
const PAGE_QUERY = `query($after: String) {
  clusters(first: 50, after: $after, connection: "Connected",
           selector: {matchLabels: [{key: "env", value: "prod"}], matchExpressions: [{key: "region", operator: "In", values: ["eu-west", "us-east"]}]}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { name labels { key value } connection { state lastSeenAt } }
  }
}`;

/** Seeds the fleet with set-based SQL: clusters, connections (≈70% Connected), bundles, deployments and statuses. */
async function seed(db: pg.Client): Promise<void> {
  await db.query(`INSERT INTO sources (id, name, url, ref, webhook_secret, poll_interval_seconds)
                  VALUES (gen_random_uuid(), 'bench', 'https://example.invalid/bench.git', 'main', '\\x00', 0)`);
  await db.query(
    `INSERT INTO clusters (name, labels)
     SELECT 'cluster-' || lpad(i::text, 6, '0'),
            jsonb_build_object('env', ($2::text[])[1 + i % 3], 'region', ($3::text[])[1 + (i / 3) % 5], 'tier', 't' || (i % 7))
              || CASE WHEN i % 10 = 0 THEN '{"canary": "true"}'::jsonb ELSE '{}'::jsonb END
       FROM generate_series(0, $1 - 1) i`,
    [clusterCount, ENVS, REGIONS],
  );
  await db.query(`INSERT INTO cluster_connections (cluster_id, state, connected_at, last_seen_at, agent_version, protocol_version)
                  SELECT id, CASE WHEN random() < 0.7 THEN 'Connected' ELSE 'Disconnected' END, now(), now(), 'bench', 1 FROM clusters`);
  await db.query(
    `INSERT INTO bundles (source_id, name, path, good_revision, digest, updated_at)
     SELECT s.id, 'app-' || b, 'apps/app-' || b, 'rev1', 'digest', now() FROM sources s, generate_series(0, $1 - 1) b`,
    [BUNDLES],
  );
  await db.query(`INSERT INTO bundle_deployments (bundle_id, cluster_id, target_hash, target_revision, desired_hash, desired_generation, desired_revision)
                  SELECT b.id, c.id, 'sha256:' || b.id, 'rev1', 'sha256:' || b.id, nextval('flotilla_generation_seq'), 'rev1' FROM bundles b CROSS JOIN clusters c`);
  await db.query(`INSERT INTO bundle_statuses (bundle_id, cluster_id, acked_generation, generation, stream, seq, phase, health, observed_at)
                  SELECT bundle_id, cluster_id, desired_generation, desired_generation, 1, 1, 'APPLIED', 'HEALTHY', now() FROM bundle_deployments`);
  await db.query('ANALYZE');
}

/**
 * Writes `ingestPerSecond` statuses per second in ticks of 100 ms, as the hub's ingester does: one multi-row upsert
 * of bundle_statuses (a newer seq wins) with a history row per change of phase or health, plus heartbeats that
 * refresh (and now and then flip) cluster connections. Returns a stop function and the count written.
 */
function ingestConcurrently(db: pg.Client, deployments: { bundleId: string; clusterId: string }[]): { stop: () => Promise<number> } {
  let written = 0;
  let seq = 2;
  let stopped = false;
  const perTick = Math.max(1, Math.round((ingestPerSecond * TICK_MS) / 1_000));
  const loop = (async () => {
    let next = performance.now();
    while (!stopped) {
      const batch = Array.from({ length: perTick }, () => deployments[Math.floor(Math.random() * deployments.length)]!);
      const unique = [...new Map(batch.map((d) => [`${d.bundleId}/${d.clusterId}`, d])).values()];
      const pick = <T>(values: T[]) => unique.map(() => values[Math.floor(Math.random() * values.length)]!);
      seq += 1;
      await db.query(
        `WITH incoming AS (
           SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::int[]) AS u(bundle_id, cluster_id, phase, health, drifted_fields)
         ),
         previous AS (SELECT s.bundle_id, s.cluster_id, s.phase, s.health FROM bundle_statuses s JOIN incoming i USING (bundle_id, cluster_id)),
         upserted AS (
           INSERT INTO bundle_statuses AS s (bundle_id, cluster_id, generation, stream, seq, phase, health, drifted_fields, observed_at, updated_at)
           SELECT i.bundle_id, i.cluster_id, 1, 1, $6, i.phase, i.health, i.drifted_fields, now(), now() FROM incoming i
           ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET seq = EXCLUDED.seq, phase = EXCLUDED.phase, health = EXCLUDED.health,
             drifted_fields = EXCLUDED.drifted_fields, observed_at = EXCLUDED.observed_at, updated_at = now()
           WHERE (EXCLUDED.generation, EXCLUDED.stream, EXCLUDED.seq) > (s.generation, s.stream, s.seq)
           RETURNING s.bundle_id, s.cluster_id, s.generation, s.phase, s.health
         )
         INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health)
         SELECT u.bundle_id, u.cluster_id, u.generation, u.phase, u.health FROM upserted u LEFT JOIN previous p USING (bundle_id, cluster_id)
          WHERE p.phase IS DISTINCT FROM u.phase OR p.health IS DISTINCT FROM u.health`,
        [unique.map((d) => d.bundleId), unique.map((d) => d.clusterId), pick(PHASES), pick(HEALTHS), pick([0, 0, 0, 1]), seq],
      );
      const heartbeats = [...new Set(unique.map((d) => d.clusterId))];
      await db.query(
        `UPDATE cluster_connections SET last_seen_at = now(), updated_at = now(),
                state = CASE WHEN random() < 0.02 THEN (CASE state WHEN 'Connected' THEN 'Disconnected' ELSE 'Connected' END) ELSE state END
          WHERE cluster_id = ANY($1::uuid[])`,
        [heartbeats],
      );
      written += unique.length;
      next += TICK_MS;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return written;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `count` requests one after another (after a warm-up) and returns their latencies in ms, sorted. */
async function measure(count: number, request: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 20; i += 1) await request(i);
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await request(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** Runs `work` and returns the statements (text and parameters) this process sent meanwhile, the hub's included. */
async function statementsOf(work: () => Promise<unknown>): Promise<{ text: string; values: unknown[] }[]> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const seen: { text: string; values: unknown[] }[] = [];
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args as [string | { text?: string; values?: unknown[] }, unknown];
    if (typeof first === 'string') seen.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (first?.text) seen.push({ text: first.text, values: first.values ?? [] });
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return seen;
}

/** With --explain: prints EXPLAIN ANALYZE of every read the hub sends for one request (the plans behind the figures). */
async function explain(db: pg.Client, label: string, work: () => Promise<unknown>): Promise<void> {
  // Reads only (EXPLAIN ANALYZE executes the statement): the concurrent ingestion's writes and the token lookup are left out.
  const statements = (await statementsOf(work)).filter((s) => /^\s*SELECT/i.test(s.text) && !/\b(INSERT|UPDATE|DELETE)\b|api_tokens|"ApiTokenEntity"/i.test(s.text));
  for (const statement of statements) {
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
    console.log(`-- ${label}: ${statement.text.replace(/\s+/g, ' ').slice(0, 160)}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}\n`);
  }
}

/**
 * Event → 100 subscribers: 100 graphql-ws clients (each its own socket) subscribe to one bundle deployment's changes;
 * a status for it is then written with the ingester's statement shape while the concurrent ingestion goes on, and
 * the time until every subscriber has the event is taken, 20 times. A generation above the ingestion's keeps the
 * concurrent writes off this row, so each event is the one produced.
 */
async function measureSubscriptionLatency(bench: BenchHub, db: pg.Client, subscribers = 100, rounds = 20): Promise<Record<string, number | string>> {
  const [target] = (await db.query(
    `SELECT d.bundle_id::text AS bundle_id, d.cluster_id, b.name AS bundle, c.name AS cluster
       FROM bundle_deployments d JOIN bundles b ON b.id = d.bundle_id JOIN clusters c ON c.id = d.cluster_id ORDER BY c.name, b.name LIMIT 1`,
  )).rows as { bundle_id: string; cluster_id: string; bundle: string; cluster: string }[];
  const fleet = await subscribeMany<{ generation: string }>(
    bench.url,
    subscribers,
    `subscription { bundleDeploymentChanged(bundle: "${target!.bundle}", cluster: "${target!.cluster}") { eventId generation health } }`,
    { token: bench.token },
  );
  const times: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const generation = String(1_000_000 + round);
      times.push(
        await fleet.timeDelivery(
          () =>
            db.query(
              `UPDATE bundle_statuses SET generation = $3, seq = 1, health = CASE health WHEN 'HEALTHY' THEN 'PROGRESSING' ELSE 'HEALTHY' END, observed_at = now(), updated_at = now()
                WHERE bundle_id = $1 AND cluster_id = $2`,
              [target!.bundle_id, target!.cluster_id, generation],
            ),
          (event) => event.generation === generation,
        ),
      );
    }
  } finally {
    await fleet.close();
  }
  times.sort((x, y) => x - y);
  return {
    subscription_subscribers: subscribers,
    subscription_rounds: rounds,
    subscription_event_p50_ms: percentile(times, 50).toFixed(1),
    subscription_event_max_ms: times.at(-1)!.toFixed(1),
  };
}

const startedAt = performance.now();
const bench = await startBenchHub('api');
const db = new pg.Client({ connectionString: bench.databaseUrl });
const ingestDb = new pg.Client({ connectionString: bench.databaseUrl });
let ingest: { stop: () => Promise<number> } | undefined;
try {
  await db.connect();
  await ingestDb.connect();
  const seedStarted = performance.now();
  await seed(db);
  const seedSeconds = (performance.now() - seedStarted) / 1_000;
  const deployments = (await db.query<{ bundle_id: string; cluster_id: string }>('SELECT bundle_id::text, cluster_id FROM bundle_deployments')).rows.map((row) => ({
    bundleId: row.bundle_id,
    clusterId: row.cluster_id,
  }));

  ingest = ingestConcurrently(ingestDb, deployments);
  if (process.argv.includes('--explain')) {
    await explain(db, 'fleet', () => bench.gql(FLEET_QUERY));
    await explain(db, 'page', () => bench.gql(PAGE_QUERY, { after: null }));
  }
  // The cost of any authenticated GraphQL request on this machine right now, to read the figures below against.
  const baselineTimes = await measure(requests, async () => {
    await bench.gql('{ me { name } }');
  });
  const fleetTimes = await measure(requests, async () => {
    const data = await bench.gql<{ fleet: { clusters: number; bundleDeployments: number } }>(FLEET_QUERY);
    if (data.fleet.clusters !== clusterCount || data.fleet.bundleDeployments !== clusterCount * BUNDLES) throw new Error(`fleet summary is off: ${JSON.stringify(data.fleet)}`);
  });
  let after: string | null = null;
  let totalCount = 0;
  let pages = 0;
  const pageTimes = await measure(requests, async () => {
    const data: { clusters: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] } } = await bench.gql(PAGE_QUERY, { after });
    totalCount = data.clusters.totalCount;
    pages += 1;
    after = data.clusters.pageInfo.hasNextPage ? data.clusters.pageInfo.endCursor : null;
  });
  const subscription = await measureSubscriptionLatency(bench, db);
  const ingestSeconds = (performance.now() - seedStarted) / 1_000 - seedSeconds;
  const written = await ingest.stop();

  const figures: Record<string, number | string> = {
    clusters: clusterCount,
    bundle_deployments: deployments.length,
    seed_s: seedSeconds.toFixed(1),
    requests,
    ingest: 'batched-upserts',
    ingest_statuses: written,
    ingest_statuses_per_s: Math.round(written / ingestSeconds),
    baseline_p50_ms: percentile(baselineTimes, 50).toFixed(1),
    baseline_p99_ms: percentile(baselineTimes, 99).toFixed(1),
    fleet_p50_ms: percentile(fleetTimes, 50).toFixed(1),
    fleet_p99_ms: percentile(fleetTimes, 99).toFixed(1),
    page_p50_ms: percentile(pageTimes, 50).toFixed(1),
    page_p99_ms: percentile(pageTimes, 99).toFixed(1),
    page_total_count: totalCount,
    page_requests: pages,
    ...subscription,
    total_s: ((performance.now() - startedAt) / 1_000).toFixed(1),
  };
  for (const [key, value] of Object.entries(figures)) console.log(`${key}=${value}`);
} finally {
  // Stopped before its connection closes, also when a measurement failed (else its next write would crash the run).
  await ingest?.stop().catch(() => 0);
  await db.end().catch(() => undefined);
  await ingestDb.end().catch(() => undefined);
  await bench.close();
}
