import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import {
  clusterDirFor,
  EMBEDDED_USER,
  ensureWritableDir,
  initCluster,
  loadBinaries,
  postgresIdentity,
  readOrCreatePassword,
  stageBinariesFor,
  tail,
  exists,
  type Binaries,
  type EmbeddedLog,
  type PostgresIdentity,
} from './embedded-postgres-cluster.js';
import { EmbeddedPostgresError, EmbeddedPostgresErrorCode as Code } from './embedded-postgres.error.js';

const DATABASE = 'flotilla';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface EmbeddedPostgresOptions {
  /** The Flotilla data directory; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  readonly log?: EmbeddedLog;
}

/** What a running embedded server publishes in the data directory, so the CLI can reach it. */
interface RuntimeInfo {
  readonly pid: number;
  readonly port: number;
  /** The process that started and supervises the server (a hub, or a CLI command). */
  readonly ownerPid: number;
}

/**
 * A real PostgreSQL server run from the binaries of the `embedded-postgres` package, supervised
 * here rather than by that package's wrapper: the wrapper installs process-wide exit hooks and
 * rejects start failures without a reason, and the hub needs both under its own control.
 * Listens on 127.0.0.1 only, with a generated password kept in the data directory (mode 0600).
 */
export class EmbeddedPostgresServer {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly clusterDir: string,
    private readonly password: string,
    private readonly runtimeFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get url(): string {
    return connectionUrl(this.port, this.password);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the server process ends, whether stopped or crashed. */
  get whenExited(): Promise<void> {
    return this.exited;
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const log = options.log ?? (() => undefined);
    const binaries = await loadBinaries();
    const identity = await postgresIdentity();
    await ensureWritableDir(options.dataDir);
    const runnable = identity ? await stageBinariesFor(binaries, identity, log) : binaries;
    const clusterDir = await clusterDirFor(options.dataDir, identity, log);
    const password = await readOrCreatePassword(options.dataDir);
    if (!(await exists(join(clusterDir, 'PG_VERSION')))) {
      await initCluster(runnable, clusterDir, password, identity, log);
    }
    const runtimeFile = join(options.dataDir, 'postgres.runtime.json');
    await reclaimOrRefuse(clusterDir, runtimeFile, log);
    const port = await choosePort(options.port ?? 0);
    const child = await launch(runnable, clusterDir, port, identity, log);
    const server = new EmbeddedPostgresServer(child, port, clusterDir, password, runtimeFile);
    try {
      await ensureDatabase(port, password);
      await writeFile(runtimeFile, JSON.stringify({ pid: child.pid ?? 0, port, ownerPid: process.pid } satisfies RuntimeInfo), { mode: 0o600 });
    } catch (error) {
      await server.stop();
      throw error;
    }
    log('info', `embedded PostgreSQL ${binaries.version} ready on 127.0.0.1:${port} (data ${clusterDir})`);
    return server;
  }

  /**
   * The URL of an embedded server that another process (a running hub) started on this data
   * directory, or undefined when none is running.
   */
  static async findRunning(dataDir: string): Promise<string | undefined> {
    const info = await readFile(join(dataDir, 'postgres.runtime.json'), 'utf8').then(
      (text) => JSON.parse(text) as RuntimeInfo,
      () => undefined,
    );
    if (!info || !isAlive(info.pid)) return undefined;
    const password = await readFile(join(dataDir, 'postgres.password'), 'utf8').catch(() => undefined);
    return password ? connectionUrl(info.port, password.trim()) : undefined;
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, the data is left consistent. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.runtimeFile, { force: true });
  }
}

function connectionUrl(port: number, password: string): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * A postmaster.pid left behind is harmless when its process is gone (PostgreSQL checks that
 * itself). A live server whose owner (recorded in the runtime file) has died — a hub that was
 * killed — is shut down; a live server with a live owner means another hub uses this directory.
 */
async function reclaimOrRefuse(clusterDir: string, runtimeFile: string, log: EmbeddedLog): Promise<void> {
  const pidText = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(pidText?.split('\n')[0]);
  if (!pidText || !Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const runtime = await readFile(runtimeFile, 'utf8').then(
    (text) => JSON.parse(text) as Partial<RuntimeInfo>,
    () => ({}) as Partial<RuntimeInfo>,
  );
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const ownerDead = runtime.pid === pid && typeof runtime.ownerPid === 'number' && !isAlive(runtime.ownerPid);
  if (!ownerDead && parent !== 1) {
    throw new EmbeddedPostgresError(
      Code.AlreadyRunning,
      `the PostgreSQL data directory ${clusterDir} is in use by process ${pid}: another Flotilla hub is probably running on this data directory`,
    );
  }
  log('warn', `stopping an orphaned embedded PostgreSQL (pid ${pid}) left by a hub that did not shut down`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new EmbeddedPostgresError(Code.AlreadyRunning, `orphaned PostgreSQL ${pid} did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function choosePort(requested: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new EmbeddedPostgresError(
          Code.PortInUse,
          `port ${requested} on 127.0.0.1 is not available for the embedded PostgreSQL (${error.code}): ` +
            'set FLOTILLA_EMBEDDED_PG_PORT to a free port, or 0 to pick one',
        ),
      ),
    );
    probe.listen(requested, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function launch(
  binaries: Binaries,
  clusterDir: string,
  port: number,
  who: PostgresIdentity | undefined,
  log: EmbeddedLog,
): Promise<ChildProcess> {
  const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  const child = spawn(binaries.postgres, args, { ...(who ? { uid: who.uid, gid: who.gid } : {}), stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmbeddedPostgresError(Code.StartFailed, `PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s: ${tail(output)}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-8_000);
      for (const line of text.split('\n').filter(Boolean)) log('debug', `postgres: ${line}`);
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(Code.StartFailed, `PostgreSQL could not run: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const reason = tail(output);
      if (/could not bind|Address already in use/i.test(output)) {
        reject(new EmbeddedPostgresError(Code.PortInUse, `port ${port} was taken while PostgreSQL started: ${reason}`));
      } else if (/lock file .* already exists/i.test(output)) {
        reject(new EmbeddedPostgresError(Code.AlreadyRunning, `another PostgreSQL holds ${clusterDir}: ${reason}`));
      } else {
        reject(new EmbeddedPostgresError(Code.StartFailed, `PostgreSQL exited during start (${signal ?? `exit ${code}`}): ${reason}`));
      }
    });
  });
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: EMBEDDED_USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
