// Time from spawning the hub process to its first 200 from /readyz: on a fresh embedded
// PostgreSQL (initdb included), on an existing one, and on an external server when
// FLOTILLA_BENCH_DATABASE_URL or FLOTILLA_TEST_DATABASE_URL is set. Prints one line of key=value pairs last.
// Runs the build output, as `npm start` does (the npm script builds first).
// Usage: npm run bench:hub-start [-- --runs N]
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnHub } from '../support/hub-process.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

async function timeToReady(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const hub = spawnHub({ FLOTILLA_HTTP_PORT: '0', FLOTILLA_BIND_ADDRESS: '127.0.0.1', ...env }, { from: 'dist' });
  const [, port] = await hub.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\//, 60_000);
  const deadline = Date.now() + 30_000;
  while ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error('never ready');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = performance.now() - started;
  hub.child.kill('SIGTERM');
  const code = await hub.exited;
  if (code !== 0) throw new Error(`hub exited with ${code}:\n${hub.output()}`);
  return elapsed;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cold: number[] = [];
const warm: number[] = [];
for (let run = 0; run < runs; run += 1) {
  const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
  await chmod(dataDir, 0o755);
  try {
    cold.push(await timeToReady({ FLOTILLA_DATA_DIR: dataDir }));
    warm.push(await timeToReady({ FLOTILLA_DATA_DIR: dataDir }));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`run ${run + 1}/${runs}: embedded cold ${cold.at(-1)!.toFixed(0)} ms, warm ${warm.at(-1)!.toFixed(0)} ms`);
}

const externalAdmin = process.env.FLOTILLA_BENCH_DATABASE_URL ?? process.env.FLOTILLA_TEST_DATABASE_URL;
const external: number[] = [];
if (externalAdmin) {
  const name = `flotilla_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: externalAdmin });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(externalAdmin);
    url.pathname = `/${name}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-bench-'));
    for (let run = 0; run < runs; run += 1) external.push(await timeToReady({ FLOTILLA_DATA_DIR: dataDir, DATABASE_URL: url.toString() }));
    await rm(dataDir, { recursive: true, force: true });
    console.log(`external: ${external.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  } finally {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
} else {
  console.log('external: skipped (set FLOTILLA_BENCH_DATABASE_URL to a PostgreSQL admin URL)');
}

console.log(
  [
    `runs=${runs}`,
    `embedded_cold_ready_ms=${median(cold).toFixed(0)}`,
    `embedded_warm_ready_ms=${median(warm).toFixed(0)}`,
    `external_ready_ms=${external.length ? median(external).toFixed(0) : 'na'}`,
  ].join(' '),
);
