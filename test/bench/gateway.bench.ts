// The agent stream at fleet scale. Three kinds of process: this driver; the hub, in its own
// process so its RSS is its own; and fleet simulators holding N real agents between them (each
// agent with its own EC key, certificate, TLS connection and simulated cluster; at most
// AGENTS_PER_PROCESS per process, as ulimit -n is 20,000 here). It prints `key=value` figures:
//   change → every agent acked (from the commit's sync, and from the hub starting its push), and again
//   with the simulated agents' reconciles deferred past the fan-out (`_reconciles_deferred`: hundreds
//   of agents share a core here, so their reconciles delay each other's acks, as real ones cannot);
//   hub RSS per connected agent, (RSS at N − RSS at 0) / N from /proc;
//   status messages committed per second (each flips an applied bundle's health: a real change,
//   with its 20 resource entries; latest state and history both written; a bundle's next flip
//   waits until its last one is written, so every status counted crossed the wire), and which PostgreSQL;
//   the CPU the hub, the simulators and PostgreSQL (every process named postgres) spent on each
//   status of the storm (from /proc: comparable across machines and loads, where the rate is not);
//   the raw baselines in the same run — a bare grpc-js server (in a process of its own, like the
//   hub) writing the same bytes to as many TLS streams, with its RSS per stream measured as the
//   hub's is, and the hub's own UNNEST upsert run directly on the same rows, with as many of them
//   changing a deployment's health (and writing an event) as in the hub's storm — and the ratios.
// Usage: npm run bench:gateway [-- --agents N] [-- --storm-rate R] [-- --storm-ms MS]
// FLOTILLA_BENCH_DATABASE_URL (an admin URL) points at an external PostgreSQL; default embedded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptionKeyring } from '@flotilla/crypto';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { STATUS_UPSERT_SQL, statusRowParameters, type HistoryRow, type StatusRow } from '../../apps/hub/src/agent-gateway/status-upsert.sql.js';
import { GitRepoFixture } from '../../libs/git/src/testing/git-repo.fixture.js';
import { startBenchHubProcess } from '../support/bench-hub.js';
import { until } from '../support/until.js';
import { LineChild } from './line-child.js';
import { rawFanoutTls } from './raw-fanout.js';
import { integerOption, loadavg } from './bench-args.mjs';
import { cpuMs, cpuMsBetween, cpuMsByProcess } from './process-cpu.mjs';
import { flipsPerBatch } from './raw-flips.js';

const agents = integerOption('agents', 100);
const stormRate = integerOption('storm-rate', 30_000);
const stormMs = integerOption('storm-ms', 5_000);
const AGENTS_PER_PROCESS = 2_500;
const STORM_QUIET_MS = 10_000;
const hubMetric = async (url: string, name: string): Promise<number> =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? Number.NaN);
const RESOURCES = 20;
// Extra bundles (each 20 ConfigMaps) only when asked: every agent applies them at start, which
// costs the simulator more than anything else here. Only `web` changes in the change test.
const extraBundles = integerOption('extra-bundles', 0, 0);
// Agents keep their state in memory unless --durable-agents: a thousand agents on one disk would
// queue their fsyncs (two per Desired) where real agents each have their own disk.
const durableAgents = process.argv.includes('--durable-agents');
// At least two simulator processes, so the fleet can use both cores.
const processes = Math.max(2, Math.ceil(agents / AGENTS_PER_PROCESS));
/** Agents (and raw clients) per process: spread evenly, so every process, and core, has its share. */
const perProcess = Math.ceil(agents / processes);
const rssOf = async (pid: number): Promise<number> => Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

const configMaps = (bundle: string, value: string): string =>
  Array.from({ length: RESOURCES }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${bundle}-${i}, namespace: default}\ndata: {v: "${value}", i: "${i}"}\n`).join('---\n');

const repo = await GitRepoFixture.create();
await repo.write('web/flotilla.yaml', 'name: web\ntargets: [{selector: {}}]\nvalues: {v: "1"}\n');
await repo.write('web/cms.yaml', configMaps('web', '{{ values.v }}'));
for (let b = 1; b <= extraBundles; b++) {
  await repo.write(`extra-${b}/flotilla.yaml`, `name: extra-${b}\ntargets: [{selector: {}}]\n`);
  await repo.write(`extra-${b}/cms.yaml`, configMaps(`extra-${b}`, 'x'));
}
await repo.commit('v1');
const bundles = 1 + extraBundles;
const hub = await startBenchHubProcess('gateway');
const loadAtStart = await loadavg();
console.log(`hub started (pid ${hub.process.child.pid}, ${hub.postgres}); load ${loadAtStart}`);
const simulators: LineChild[] = [];
const rawProcesses: LineChild[] = [];
const db = new pg.Client({ connectionString: hub.databaseUrl });
await db.connect();
const scalar = async (sql: string, params: unknown[] = []): Promise<string> => String(Object.values((await db.query(sql, params)).rows[0] as object)[0]);
/** Events written for a deployment's changed latest state: one per latest row a batch left with another health. */
const deploymentChanges = async (): Promise<number> => Number(await scalar(`SELECT count(*) FROM events WHERE kind = 'bundle-deployment.changed'`));
try {
  const tokens: string[] = [];
  let caPem = '';
  const registerStarted = performance.now();
  for (let offset = 0; offset < agents; offset += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, agents - offset) }, (_, i) =>
        hub.gql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>('mutation($n: String!) { registerCluster(name: $n) { bootstrapToken installManifest } }', {
          n: `edge-${offset + i}`,
        }),
      ),
    );
    for (const registered of batch) tokens.push(registered.registerCluster.bootstrapToken);
    caPem ||= (parseAllDocuments(batch[0]!.registerCluster.installManifest).map((d) => d.toJS() as { kind: string; stringData?: Record<string, string> }).find((o) => o.kind === 'Secret')!.stringData!['hub-ca.pem'])!;
  }
  // The source comes after the clusters: one fleet-wide target computation instead of one per registration.
  const added = await hub.gql<{ addSource: { source: { id: string } } }>('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', {
    i: { name: 'bench', url: repo.url, ref: 'main' },
  });
  await until(async () => Number(await scalar(`SELECT count(*) FROM bundle_deployments WHERE desired_generation IS NOT NULL`)) >= agents * bundles, 'desired state for every cluster', 120_000);
  const rssAt0 = await hub.rssBytes();
  const heapAt0 = await hubMetric(hub.url, 'nodejs_heap_size_used_bytes');
  const externalAt0 = await hubMetric(hub.url, 'nodejs_external_memory_bytes');
  console.log(`registered ${agents} clusters in ${((performance.now() - registerStarted) / 1000).toFixed(1)} s; hub RSS ${(rssAt0 / 1048576).toFixed(0)} MiB`);

  // ── connect: every agent registers (its own key and certificate) and opens its stream ──
  const connectStarted = performance.now();
  const encryptionKeySpec = EncryptionKeyring.generateSpec('fleet');
  for (let p = 0; p < processes; p++) {
    const first = p * perProcess;
    const count = Math.max(0, Math.min(perProcess, agents - first));
    simulators.push(
      LineChild.spawn('fleet-simulator.process.ts', {
        agents: count,
        firstIndex: first,
        tokens: tokens.slice(first, first + count),
        hubAddress: `127.0.0.1:${hub.grpcPort}`,
        registrationAddress: `127.0.0.1:${hub.registrationPort}`,
        hubCaPem: caPem,
        tlsServerName: 'localhost',
        stateDir: join(hub.scratch, 'agents'),
        encryptionKeySpec,
        memoryState: !durableAgents,
        startConcurrency: 32,
        welcomeTimeoutMs: 120_000,
        summaryIntervalMs: 250,
      }),
    );
  }
  const sum = (kind: string, field: string): number => simulators.reduce((total, s) => total + Number(s.latest.get(kind)?.[field] ?? 0), 0);
  const failures = () => `; simulator errors: ${simulators.flatMap((s) => s.errors).slice(0, 5).join(' | ')}`;
  await until(() => sum('counts', 'connected') >= agents, `all ${agents} agents to connect`, 60_000 + agents * 100, { detail: () => `; connected ${sum('counts', 'connected')}${failures()}` });
  const connectS = (performance.now() - connectStarted) / 1000;
  for (const s of simulators) s.send({ watch: { bundle: 'web', above: '0' } });
  await until(() => simulators.every((s) => (s.latest.get('watch')?.watch as { allAtMs?: number } | undefined)?.allAtMs !== undefined), 'every agent to hold the first generation', 120_000);
  await until(async () => Number(await scalar(`SELECT count(*) FROM bundle_statuses WHERE phase = 'APPLIED'`)) >= agents * bundles, 'every agent to report every bundle Applied', 300_000);
  const rssAtN = await hub.rssBytes();
  const heapAtN = await hubMetric(hub.url, 'nodejs_heap_size_used_bytes');
  const externalAtN = await hubMetric(hub.url, 'nodejs_external_memory_bytes');
  const disconnects = sum('counts', 'disconnected');
  console.log(`${agents} agents connected in ${connectS.toFixed(1)} s (${disconnects} stream drops on the way); hub RSS ${(rssAtN / 1048576).toFixed(0)} MiB`);

  // ── change → all acked: once with the simulated agents reconciling as real ones would, once with
  // their reconciles deferred past the fan-out (see FleetSimulator.deferReconciles) ──
  const watchDone = () => simulators.map((s) => (s.latest.get('watch')?.watch as { allAtMs?: number; count: number } | undefined) ?? { count: 0 });
  const change = async (value: string, reconcileDelayMs: number) => {
    for (const s of simulators) s.send({ reconcileDelayMs });
    const before = BigInt(await scalar(`SELECT coalesce(max(desired_generation), 0) FROM bundle_deployments`));
    for (const s of simulators) s.send({ watch: { bundle: 'web', above: before.toString() } });
    await until(() => simulators.every((s) => (s.latest.get('watch')?.watch as { above?: string } | undefined)?.above === before.toString()), 'the simulators to watch', 10_000);
    await repo.write('web/flotilla.yaml', `name: web\ntargets: [{selector: {}}]\nvalues: {v: "${value}"}\n`);
    await repo.commit(`v${value}`);
    const changeAt = Date.now();
    await hub.gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: added.addSource.source.id });
    const syncedAt = Date.now();
    await until(() => watchDone().every((w) => w.allAtMs !== undefined), 'every agent to ack the change', 120_000, { detail: () => `; acked ${watchDone().reduce((n, w) => n + w.count, 0)}` });
    const allAckedAt = Math.max(...watchDone().map((w) => w.allAtMs!));
    const output = hub.process.output();
    const push = [...output.matchAll(/desired state changed for (\d+) cluster\(s\), (\d+) connected: pushing \(at (\d+) ms\)/g)].find((m) => Number(m[3]) >= changeAt);
    const pushAt = push ? Number(push[3]) : Number.NaN;
    const queued = /queued the push to (\d+) connected cluster\(s\) in (\d+) ms(?: \(desired state read in (\d+) ms\))?/.exec(output.slice(output.indexOf(push?.[0] ?? '\u0000')));
    await until(async () => Number(await scalar(`SELECT count(*) FROM bundle_statuses WHERE acked_generation > $1`, [before.toString()])) >= agents, 'the acks in the database', 60_000);
    const figures = {
      changeToAckedMs: allAckedAt - changeAt,
      syncMs: syncedAt - changeAt,
      deliveryMs: allAckedAt - pushAt,
      hubPushMs: queued ? Number(queued[2]) : Number.NaN,
      hubPushReadMs: queued?.[3] ? Number(queued[3]) : Number.NaN,
      ackedInDbMs: Date.now() - changeAt,
    };
    console.log(
      `change → all acked ${figures.changeToAckedMs} ms (reconciles ${reconcileDelayMs > 0 ? `deferred ${reconcileDelayMs} ms` : 'at once'}; sync returned after ${figures.syncMs} ms; ` +
        `push began at +${pushAt - changeAt} ms; delivery ${figures.deliveryMs} ms; acks in the database at +${figures.ackedInDbMs} ms)`,
    );
    await until(async () => Number(await scalar(`SELECT count(*) FROM bundle_statuses WHERE phase = 'APPLIED' AND generation > $1`, [before.toString()])) >= agents, 'every agent to report the change Applied', 60_000 + reconcileDelayMs);
    return figures;
  };
  const loadBeforeChange = await loadavg();
  const changed = await change('2', 0);
  const changedDeferred = await change('3', 2_000);
  for (const s of simulators) s.send({ reconcileDelayMs: 0 });
  simulators[0]!.send({ desiredBytes: { bundle: 'web' } });
  await until(() => simulators[0]!.latest.has('desiredBytes'), 'the Desired bytes', 10_000);
  const desiredBytes = Buffer.from(String(simulators[0]!.latest.get('desiredBytes')!.desiredBytes), 'base64');

  // ── status ingestion under a storm ──
  const historyBeforeSettling = Number(await scalar(`SELECT count(*) FROM bundle_status_history`));
  // The change's own reports must all be in before the storm is counted: wait for a quiet second.
  let settled = { count: historyBeforeSettling, at: Date.now() };
  await until(
    async () => {
      const count = Number(await scalar(`SELECT count(*) FROM bundle_status_history`));
      if (count !== settled.count) settled = { count, at: Date.now() };
      return Date.now() - settled.at > 1_000;
    },
    'the change’s reports to settle',
    60_000,
  );
  const historyBefore = Number(await scalar(`SELECT count(*) FROM bundle_status_history`));
  const eventsBeforeStorm = await deploymentChanges();
  const loadBeforeStorm = await loadavg();
  const latestBeforeStorm = await hubMetric(hub.url, 'flotilla_agent_statuses_committed');
  // CPU over the storm, per status: what each side costs, whatever else the machine's cores were doing.
  const simulatorsCpu = async (): Promise<number> => (await Promise.all(simulators.map((s) => cpuMs(s.child.pid!)))).reduce((a, b) => a + b, 0);
  const cpuBeforeStorm = { hub: await cpuMs(hub.process.child.pid!), simulators: await simulatorsCpu(), postgres: await cpuMsByProcess('postgres') };
  const stormStarted = Date.now();
  for (const s of simulators) s.send({ storm: { ratePerSecond: Math.ceil(stormRate / processes), durationMs: stormMs } });
  type Stormed = { sent: number; heldBack: number; unsent: number; ms: number };
  const stormed = (): Stormed[] => simulators.map((s) => s.latest.get('stormed')?.stormed as Stormed | undefined).filter((x): x is Stormed => x !== undefined);
  let lastCount = historyBefore;
  let lastChangeAt = stormStarted;
  await until(
    async () => {
      const count = Number(await scalar(`SELECT count(*) FROM bundle_status_history`));
      if (count !== lastCount) {
        lastCount = count;
        lastChangeAt = Date.now();
      }
      // Done once every simulator has written its storm and each status written is committed (each
      // flips health, so each is a history row) — or nothing new was committed for a while, which
      // the figures then show as committed < sent.
      const done = stormed();
      if (done.length < simulators.length) return false;
      return count - historyBefore >= done.reduce((n, x) => n + x.sent, 0) || Date.now() - lastChangeAt > STORM_QUIET_MS;
    },
    'the storm to be committed',
    stormMs + 120_000,
  );
  const stormCpuMs = {
    hub: (await cpuMs(hub.process.child.pid!)) - cpuBeforeStorm.hub,
    simulators: (await simulatorsCpu()) - cpuBeforeStorm.simulators,
    postgres: cpuMsBetween(cpuBeforeStorm.postgres, await cpuMsByProcess('postgres')),
  };
  const stormSent = stormed().reduce((n, x) => n + x.sent, 0);
  const stormHeldBack = stormed().reduce((n, x) => n + x.heldBack, 0);
  const stormUnsent = stormed().reduce((n, x) => n + x.unsent, 0);
  const committed = lastCount - historyBefore;
  const ingestSeconds = (lastChangeAt - stormStarted) / 1000;
  const ingestRate = committed / ingestSeconds;
  const latestInStorm = (await hubMetric(hub.url, 'flotilla_agent_statuses_committed')) - latestBeforeStorm;
  const stormEvents = (await deploymentChanges()) - eventsBeforeStorm;
  // How many statuses of one deployment the hub's batches carried on average: the raw baseline writes the same shape.
  const perDeployment = Math.max(1, Math.round(committed / Math.max(1, latestInStorm)));
  const resourcesPerRow = Number(await scalar(`SELECT min(jsonb_array_length(resources)) FROM bundle_statuses`));
  // Per simulator: what it sent and in how long, so a fleet that could not offer the asked rate shows as such.
  const stormedBy = stormed().map((x) => `${x.sent} in ${x.ms} ms, ${x.heldBack} held back`);
  console.log(`storm: ${stormSent} statuses written (${stormedBy.join('; ')}; asked ${stormRate}/s for ${stormMs} ms), ${committed} committed with history in ${ingestSeconds.toFixed(2)} s (${resourcesPerRow} resources each)`);

  const rssFinal = await hub.rssBytes();
  const heapFinal = await hubMetric(hub.url, 'nodejs_heap_size_used_bytes');
  const metrics = await (await fetch(`${hub.url}/metrics`)).text();
  const metric = (name: string): string => new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 'n/a';
  await Promise.all(simulators.map((s) => s.stop()));

  // ── raw ingest baseline: the same statement, the same rows, straight from here ──
  const rows = (
    await db.query<Record<string, unknown>>(
      `SELECT bundle_id::text, cluster_id::text, generation::text, stream::text, seq::text, phase, health, terminal, drifted_fields, fighting, coalesce(reason, '') AS reason, resources::text AS resources FROM bundle_statuses`,
    )
  ).rows;
  const batchRows = Math.min(rows.length, 2_000);
  // As many of the raw batches' latest rows change health, and so write an event, as the hub's did (see raw-flips.ts).
  const changedShare = stormEvents / Math.max(1, latestInStorm);
  const text = (value: unknown): string => String(value);
  const healths = rows.map((r) => text(r.health));
  const seqs = rows.map((r) => BigInt(r.seq as string));
  let rawWritten = 0;
  let round = 0;
  const rawEventsBefore = await deploymentChanges();
  const rawStarted = performance.now();
  while (rawWritten < committed || performance.now() - rawStarted < 1_000) {
    for (let offset = 0; offset < rows.length; offset += batchRows) {
      const latest: StatusRow[] = [];
      const historyRows: HistoryRow[] = [];
      for (let i = offset; i < Math.min(rows.length, offset + batchRows); i++) {
        const r = rows[i]!;
        const row = { bundleId: text(r.bundle_id), clusterId: text(r.cluster_id), generation: text(r.generation), stream: text(r.stream), phase: text(r.phase), reason: text(r.reason) };
        // Each status flips the deployment's health: one history row each.
        for (let step = flipsPerBatch(perDeployment, changedShare, i, round); step > 0; step--) {
          healths[i] = healths[i] === 'HEALTHY' ? 'PROGRESSING' : 'HEALTHY';
          seqs[i]! += 1n;
          historyRows.push({ ...row, seq: seqs[i]!.toString(), health: healths[i]! });
        }
        latest.push({
          ...row,
          seq: seqs[i]!.toString(),
          health: healths[i]!,
          terminal: r.terminal as boolean,
          driftedFields: r.drifted_fields as number,
          fighting: r.fighting as boolean,
          resourcesJson: text(r.resources),
          observedAt: new Date(),
        });
      }
      const result = await db.query<{ history: number }>(STATUS_UPSERT_SQL, statusRowParameters(latest, historyRows));
      rawWritten += result.rows[0]!.history;
    }
    round++;
  }
  const rawIngestRate = rawWritten / ((performance.now() - rawStarted) / 1000);
  const rawEvents = (await deploymentChanges()) - rawEventsBefore;

  // ── raw fan-out baseline: the same bytes to as many TLS streams from a bare grpc-js server ──
  // The server runs in a process of its own, like the hub, so its fan-out and its RSS are measured the same way.
  const tls = await rawFanoutTls();
  const rawServer = LineChild.spawn('raw-fanout-server.process.ts', tls);
  rawProcesses.push(rawServer);
  await until(() => rawServer.latest.has('ready'), 'the raw fan-out server', 30_000);
  const { port: rawPort, pid: rawPid } = rawServer.latest.get('ready')!.ready as { port: number; pid: number };
  const rawAsk = async <T>(kind: string, command: unknown, timeoutMs: number): Promise<T> => {
    rawServer.latest.delete(kind);
    rawServer.send(command);
    await until(() => rawServer.latest.has(kind), `the raw server's ${kind}`, timeoutMs);
    return rawServer.latest.get(kind)![kind] as T;
  };
  const rawFanOut = async (timeoutMs: number): Promise<{ ms: number; acked: number }> => {
    const result = await rawAsk<{ ms: number; acked: number; error?: string }>('fanOut', { fanOut: { bytes: desiredBytes.toString('base64'), timeoutMs } }, timeoutMs + 10_000);
    if (result.error) throw new Error(result.error);
    return result;
  };
  const rawRssAt0 = await rssOf(rawPid);
  for (let p = 0; p < processes; p++) {
    const count = Math.max(0, Math.min(perProcess, agents - p * perProcess));
    rawProcesses.push(LineChild.spawn('raw-fanout-clients.process.ts', { port: rawPort, count, caPem: tls.caPem, keyPem: tls.clientKeyPem, certPem: tls.clientCertPem, concurrency: 32 }));
  }
  let rawConnected = 0;
  await until(async () => (rawConnected = await rawAsk<number>('connected', 'connected', 10_000)) >= agents, 'the raw clients', 60_000 + agents * 20, { detail: () => `; connected ${rawConnected}` });
  const loadBeforeRaw = await loadavg();
  await rawFanOut(60_000); // warm-up: first writes allocate per-stream buffers (the hub's RSS at N is also taken after a first Desired)
  const rawRssAtN = await rssOf(rawPid);
  const rawFanout = await rawFanOut(120_000);
  await Promise.all(rawProcesses.map((c) => c.stop()));

  const perAgentKb = (rssAtN - rssAt0) / 1024 / agents;
  console.log(
    [
      `agents=${agents}`,
      `bundles=${bundles}`,
      `simulator_processes=${processes}`,
      `connect_s=${connectS.toFixed(1)}`,
      `stream_drops_during_connect=${disconnects}`,
      `hub_admission_waiting_peak=${metric('flotilla_agent_admission_waiting_peak')}`,
      `hub_admission_refused=${metric('flotilla_agent_admission_refused')}`,
      `hub_statuses_committed_total=${metric('flotilla_agent_statuses_committed')}`,
      `hub_reads_paused=${metric('flotilla_agent_reads_paused')}`,
      `change_to_all_acked_ms=${changed.changeToAckedMs}`,
      `sync_returned_ms=${changed.syncMs}`,
      `push_to_all_acked_ms=${changed.deliveryMs}`,
      `hub_push_queued_ms=${changed.hubPushMs}`,
      `hub_push_read_ms=${changed.hubPushReadMs}`,
      `agent_state=${durableAgents ? 'files' : 'memory'}`,
      `acks_in_db_ms=${changed.ackedInDbMs}`,
      `raw_fanout_ms=${rawFanout.ms.toFixed(0)}`,
      `fanout_ratio=${(rawFanout.ms / changed.deliveryMs).toFixed(2)}`,
      `change_to_all_acked_reconciles_deferred_ms=${changedDeferred.changeToAckedMs}`,
      `push_to_all_acked_reconciles_deferred_ms=${changedDeferred.deliveryMs}`,
      `fanout_ratio_reconciles_deferred=${(rawFanout.ms / changedDeferred.deliveryMs).toFixed(2)}`,
      `desired_bytes=${desiredBytes.length}`,
      `hub_rss_at_0_mb=${(rssAt0 / 1048576).toFixed(0)}`,
      `hub_rss_at_n_mb=${(rssAtN / 1048576).toFixed(0)}`,
      `hub_rss_after_storm_mb=${(rssFinal / 1048576).toFixed(0)}`,
      `hub_rss_per_agent_kb=${perAgentKb.toFixed(0)}`,
      `raw_rss_per_stream_kb=${((rawRssAtN - rawRssAt0) / 1024 / agents).toFixed(0)}`,
      `hub_heap_used_at_0_mb=${(heapAt0 / 1048576).toFixed(0)}`,
      `hub_heap_used_at_n_mb=${(heapAtN / 1048576).toFixed(0)}`,
      `hub_heap_used_after_storm_mb=${(heapFinal / 1048576).toFixed(0)}`,
      `hub_heap_used_per_agent_kb=${((heapAtN - heapAt0) / 1024 / agents).toFixed(0)}`,
      `hub_external_per_agent_kb=${((externalAtN - externalAt0) / 1024 / agents).toFixed(0)}`,
      `storm_sent=${stormSent}`,
      `storm_held_back=${stormHeldBack}`,
      `storm_unsent=${stormUnsent}`,
      `statuses_committed=${committed}`,
      `resources_per_status=${resourcesPerRow}`,
      `statuses_committed_per_s=${ingestRate.toFixed(0)}`,
      `storm_hub_cpu_us_per_status=${((stormCpuMs.hub * 1000) / Math.max(1, committed)).toFixed(0)}`,
      `storm_simulators_cpu_us_per_status=${((stormCpuMs.simulators * 1000) / Math.max(1, stormSent)).toFixed(0)}`,
      `storm_postgres_cpu_us_per_status=${((stormCpuMs.postgres * 1000) / Math.max(1, committed)).toFixed(0)}`,
      `storm_s=${ingestSeconds.toFixed(2)}`,
      `raw_upsert_rows_per_s=${rawIngestRate.toFixed(0)}`,
      `raw_upsert_batch_rows=${batchRows}`,
      `statuses_per_deployment_per_batch=${perDeployment}`,
      `storm_events_per_status=${(stormEvents / Math.max(1, committed)).toFixed(2)}`,
      `raw_events_per_status=${(rawEvents / Math.max(1, rawWritten)).toFixed(2)}`,
      `ingest_ratio=${(ingestRate / rawIngestRate).toFixed(2)}`,
      `postgres="${hub.postgres}"`,
      `load_start=${loadAtStart}`,
      `load_before_change=${loadBeforeChange}`,
      `load_before_storm=${loadBeforeStorm}`,
      `load_before_raw_fanout=${loadBeforeRaw}`,
    ].join(' '),
  );
} finally {
  await Promise.all([...simulators, ...rawProcesses].map((s) => (s.child.exitCode === null ? s.stop() : undefined)));
  await db.end();
  await hub.close();
  await repo.destroy();
}
