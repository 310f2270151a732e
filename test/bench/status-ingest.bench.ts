// Status ingestion alone: the hub's StatusIngester against real PostgreSQL (real migrations),
// without agents, gRPC or TLS, so the write path can be measured in seconds. N deployments
// (one bundle on N clusters) are first reported Applied with R resource entries each; then S
// statuses are handed to the ingester round-robin, each flipping the deployment's health (a real
// change, so a history row each). It prints `key=value` figures: history rows committed per
// second through the ingester; the raw baseline — the very statement the ingester runs, fed the
// same rows directly, batch after batch — and the ratio; the time per statement; and the events
// each side wrote per status (a deployment's batch writes an event when it leaves its health
// changed, so a raw baseline with an even number of flips per deployment writes none, and is cheaper).
// Usage: npm run bench:ingest [-- --deployments N] [-- --statuses S] [-- --resources R]
//        [-- --rate PER_S] (default 40,000; 0: unpaced) [-- --changing-resources]
// FLOTILLA_BENCH_DATABASE_URL (an admin URL) points at an external PostgreSQL; default embedded.
import { Change, Health, Phase, type BundleStatus, type ResourceStatus } from '@flotilla/protocol';
import { dataSourceOptions, EmbeddedPostgresServer, migrateUp } from '@flotilla/database';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { StatusIngester, type ReceivedStatus } from '../../apps/hub/src/agent-gateway/status-ingester.js';
import { historyEntryOf, STATUS_UPSERT_SQL, statusUpsertParameters } from '../../apps/hub/src/agent-gateway/status-upsert.sql.js';
import { integerOption, loadavg } from './bench-args.mjs';
import { flipsPerBatch } from './raw-flips.js';

const deployments = integerOption('deployments', 1_000);
const statuses = integerOption('statuses', 150_000);
const resourceCount = integerOption('resources', 20);
// Offered like agents would send (the gateway benchmark's storm offers 30,000/s); 0: as fast as the loop can hand them over.
const rate = integerOption('rate', 40_000, 0);
// Off by default: a health flip leaves the resources as they were, as in bench:gateway's storm.
const changingResources = process.argv.includes('--changing-resources');

const resources = (variant: number): ResourceStatus[] =>
  Array.from({ length: resourceCount }, (_, i) => ({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'default',
    name: `web-${i}`,
    change: Change.CHANGE_UNCHANGED,
    health: Health.HEALTH_HEALTHY,
    message: variant === 0 ? '' : `observed ${variant}`,
    drift: [],
  }));

const status = (generation: bigint, health: Health, variant: number): BundleStatus => ({
  bundle: 'web',
  generation,
  phase: Phase.PHASE_APPLIED,
  health,
  terminal: false,
  drift: { driftedFields: 0, fighting: false },
  resources: resources(variant),
  reason: '',
  observedAtUnixMs: BigInt(Date.now()),
});

let embedded: EmbeddedPostgresServer | undefined;
let adminUrl = process.env.FLOTILLA_BENCH_DATABASE_URL;
if (!adminUrl) {
  const { mkdtemp, chmod } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const scratch = await mkdtemp(join(tmpdir(), 'flotilla-bench-ingest-'));
  await chmod(scratch, 0o755);
  embedded = await EmbeddedPostgresServer.start({ dataDir: join(scratch, 'pg') });
  adminUrl = embedded.url;
}
const dbName = `flotilla_bench_ingest_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const postgres = `${embedded ? 'embedded' : 'external'} PostgreSQL ${(await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const dataSource = await new DataSource(dataSourceOptions(url.toString())).initialize();
const db = new pg.Client({ connectionString: url.toString() });
await db.connect();
const scalar = async (sql: string): Promise<number> => Number(Object.values((await db.query(sql)).rows[0] as object)[0]);
const events = (): Promise<number> => scalar(`SELECT count(*) FROM events`);

try {
  await migrateUp(dataSource);
  const [source] = await dataSource.query(`INSERT INTO sources (id, name, url, ref, webhook_secret) VALUES (gen_random_uuid(), 's', 'file:///x', 'main', '\\x00') RETURNING id`);
  const [bundle] = await dataSource.query(`INSERT INTO bundles (source_id, name, path) VALUES ($1, 'web', 'web') RETURNING id::text AS id`, [source.id]);
  const bundleId = bundle.id as string;
  const clusterIds = (
    (await dataSource.query(`INSERT INTO clusters (name) SELECT 'c-' || i FROM generate_series(1, $1) i RETURNING id::text AS id`, [deployments])) as { id: string }[]
  ).map((c) => c.id);
  await dataSource.query(`ANALYZE`);

  // Every deployment Applied and Healthy first: the storm then updates rows that exist, as in the fleet.
  const ingester = new StatusIngester(dataSource);
  const seqs = clusterIds.map(() => 0n);
  const healths = clusterIds.map(() => Health.HEALTH_HEALTHY);
  clusterIds.forEach((clusterId, i) => ingester.status({ bundleId, clusterId, stream: 1n, seq: ++seqs[i]!, status: status(1n, Health.HEALTH_HEALTHY, 0) }));
  await ingester.flush();

  // ── through the ingester ──
  const historyBefore = await scalar(`SELECT count(*) FROM bundle_status_history`);
  const eventsBefore = await events();
  const latestBefore = ingester.committedStatuses;
  const timings: number[] = [];
  const query = dataSource.query.bind(dataSource);
  dataSource.query = (async (sql: string, parameters?: unknown[]) => {
    const t0 = performance.now();
    try {
      return await query(sql, parameters);
    } finally {
      if (sql === STATUS_UPSERT_SQL) timings.push(performance.now() - t0);
    }
  }) as typeof dataSource.query;
  const loadBefore = await loadavg();
  const started = performance.now();
  const CHUNK = 500;
  for (let sent = 0; sent < statuses; ) {
    for (const end = Math.min(statuses, sent + CHUNK); sent < end; sent++) {
      const i = sent % deployments;
      healths[i] = healths[i] === Health.HEALTH_HEALTHY ? Health.HEALTH_PROGRESSING : Health.HEALTH_HEALTHY;
      ingester.status({ bundleId, clusterId: clusterIds[i]!, stream: 1n, seq: ++seqs[i]!, status: status(1n, healths[i]!, changingResources ? sent + 1 : 0) });
    }
    // Paced like agents would be, or just yielding so the ingester's writes interleave (as with gRPC reads).
    const due = rate > 0 ? started + (sent / rate) * 1_000 - performance.now() : 0;
    await new Promise((resolve) => (due > 0 ? setTimeout(resolve, due) : setImmediate(resolve)));
  }
  const sentSeconds = (performance.now() - started) / 1_000;
  await ingester.flush();
  const seconds = (performance.now() - started) / 1_000;
  const committed = (await scalar(`SELECT count(*) FROM bundle_status_history`)) - historyBefore;
  const ingesterEvents = (await events()) - eventsBefore;
  const latest = ingester.committedStatuses - latestBefore;
  const perDeployment = Math.max(1, Math.round(committed / Math.max(1, latest)));
  dataSource.query = query;
  timings.sort((a, b) => a - b);

  // ── raw baseline: the same statement on the same rows, one batch after another ──
  // Its parameters are built before the clock starts: the baseline is the database's part alone.
  const batchRows = Math.min(deployments, 2_000);
  const rounds = Math.ceil(committed / (deployments * perDeployment)) + 1;
  // The same share of latest rows as the ingester's leave a batch with their health changed (and so write an event).
  const changedShare = ingesterEvents / Math.max(1, latest);
  const rawBatches: unknown[][] = [];
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < deployments; offset += batchRows) {
      const batch = clusterIds.slice(offset, offset + batchRows).map((clusterId, k) => {
        const i = offset + k;
        const entries: ReceivedStatus[] = [];
        const steps = flipsPerBatch(perDeployment, changedShare, i, round);
        for (let step = 0; step < steps; step++) {
          healths[i] = healths[i] === Health.HEALTH_HEALTHY ? Health.HEALTH_PROGRESSING : Health.HEALTH_HEALTHY;
          entries.push({ bundleId, clusterId, stream: 1n, seq: ++seqs[i]!, status: status(1n, healths[i]!, changingResources ? Number(seqs[i]) : 0) });
        }
        return { latest: entries.at(-1)!, history: entries.map(historyEntryOf) };
      });
      rawBatches.push(statusUpsertParameters(batch));
    }
  }
  let rawWritten = 0;
  let rawStatements = 0;
  const rawEventsBefore = await events();
  const loadBeforeRaw = await loadavg();
  const rawStarted = performance.now();
  for (const parameters of rawBatches) {
    const result = await db.query<{ history: number }>(STATUS_UPSERT_SQL, parameters);
    rawWritten += result.rows[0]!.history;
    rawStatements++;
  }
  const rawRate = rawWritten / ((performance.now() - rawStarted) / 1_000);
  const rawEvents = (await events()) - rawEventsBefore;
  const rate_ = committed / seconds;
  const pct = (p: number) => (timings.length ? timings[Math.min(timings.length - 1, Math.floor(p * timings.length))]!.toFixed(0) : 'n/a');

  console.log(
    [
      `deployments=${deployments}`,
      `resources_per_status=${resourceCount}`,
      `changing_resources=${changingResources}`,
      `statuses_sent=${statuses}`,
      `offered_rate=${rate || 'unpaced'}`,
      `sent_s=${sentSeconds.toFixed(2)}`,
      `committed_s=${seconds.toFixed(2)}`,
      `statuses_committed=${committed}`,
      `statuses_committed_per_s=${rate_.toFixed(0)}`,
      `statements=${timings.length}`,
      `statement_ms_p50=${pct(0.5)}`,
      `statement_ms_p90=${pct(0.9)}`,
      `statement_ms_max=${pct(1)}`,
      `statuses_per_deployment_per_batch=${perDeployment}`,
      `raw_upsert_rows_per_s=${rawRate.toFixed(0)}`,
      `raw_statements=${rawStatements}`,
      `ingest_ratio=${(rate_ / rawRate).toFixed(2)}`,
      // A deployment's latest row changes (and an event is written) only when its batch flips health an odd number of times.
      `events_per_status=${(ingesterEvents / Math.max(1, committed)).toFixed(2)}`,
      `raw_events_per_status=${(rawEvents / Math.max(1, rawWritten)).toFixed(2)}`,
      `postgres="${postgres}"`,
      `load_before=${loadBefore}`,
      `load_before_raw=${loadBeforeRaw}`,
    ].join(' '),
  );
} finally {
  await db.end();
  await dataSource.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await embedded?.stop();
}
