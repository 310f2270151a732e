import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { EmbeddedPostgresError, EmbeddedPostgresErrorCode as Code } from './embedded-postgres.error.js';
import { firstUnreachableAncestor, type PosixIdentity } from './posix-access.util.js';

const run = promisify(execFile);
const DATABASE = 'flotilla';
const USER = 'flotilla';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** Where root stages what the `postgres` OS user must reach when the data directory's ancestors are closed to it. */
const ROOT_STAGING_DIR = '/var/tmp/flotilla-embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** The Flotilla data directory; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  readonly log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
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
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const paths = (await import(name)) as { initdb: string; postgres: string };
    const manifest = JSON.parse(await readFile(join(dirname(paths.postgres), '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    await stat(paths.postgres);
    return { initdb: paths.initdb, postgres: paths.postgres, version: manifest.version };
  } catch {
    throw new EmbeddedPostgresError(
      Code.BinariesMissing,
      `the embedded PostgreSQL binaries (${name}) are not installed: run "npm install", or set DATABASE_URL to use an external PostgreSQL`,
    );
  }
}

/** The OS user to run PostgreSQL as, when we are root (PostgreSQL refuses to run as root). */
async function postgresIdentity(): Promise<(PosixIdentity & { gid: number }) | undefined> {
  if (userInfo().uid !== 0) return undefined;
  try {
    const [uid, gid, groups] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
      run('id', ['-G', 'postgres']),
    ]);
    return {
      uid: Number(uid.stdout.trim()),
      gid: Number(gid.stdout.trim()),
      gids: groups.stdout.trim().split(/\s+/).map(Number),
    };
  } catch {
    throw new EmbeddedPostgresError(
      Code.NoPostgresUser,
      'running as root: PostgreSQL refuses to run as root, and there is no "postgres" OS user to run it as. ' +
        'Create one (useradd --system postgres), run Flotilla as a non-root user, or set DATABASE_URL',
    );
  }
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new EmbeddedPostgresError(
      Code.DataDirNotWritable,
      `the data directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}): ` +
        'set FLOTILLA_DATA_DIR to a writable directory',
    );
  }
}

/** As root, copies the binaries to a world-readable place when `postgres` cannot reach node_modules. */
async function stageBinariesFor(binaries: Binaries, who: PosixIdentity, log: NonNullable<EmbeddedPostgresOptions['log']>): Promise<Binaries> {
  const nativeDir = dirname(dirname(binaries.postgres));
  const blocked = await firstUnreachableAncestor(nativeDir, who);
  if (!blocked) return binaries;
  const staged = join(ROOT_STAGING_DIR, `bin-${binaries.version}`);
  const marker = join(staged, '.complete');
  if (!(await exists(marker))) {
    log('info', `the postgres OS user cannot enter ${blocked}; staging the PostgreSQL binaries in ${staged}`);
    await mkdir(ROOT_STAGING_DIR, { recursive: true, mode: 0o755 });
    await chmod(ROOT_STAGING_DIR, 0o755);
    await rm(staged, { recursive: true, force: true });
    await cp(nativeDir, staged, { recursive: true, verbatimSymlinks: true });
    await chmod(staged, 0o755);
    await writeFile(marker, '');
  }
  return { initdb: join(staged, 'bin', 'initdb'), postgres: join(staged, 'bin', 'postgres'), version: binaries.version };
}

/**
 * `<dataDir>/postgres`, owned by the user PostgreSQL runs as. As root, when `postgres` cannot enter
 * the data directory (a mode-0700 parent, as `mktemp -d` makes), the cluster is kept under
 * /var/tmp instead, keyed by the data directory, and the log says where.
 */
async function clusterDirFor(
  dataDir: string,
  who: (PosixIdentity & { gid: number }) | undefined,
  log: NonNullable<EmbeddedPostgresOptions['log']>,
): Promise<string> {
  let dir = join(dataDir, 'postgres');
  if (who) {
    const blocked = await firstUnreachableAncestor(dir, who);
    if (blocked) {
      const key = createHash('sha256').update(await realpath(dataDir)).digest('hex').slice(0, 16);
      dir = join(ROOT_STAGING_DIR, `data-${key}`);
      log('warn', `running as root and the postgres OS user cannot enter ${blocked}: the embedded cluster for ${dataDir} is kept in ${dir}`);
      await mkdir(ROOT_STAGING_DIR, { recursive: true, mode: 0o755 });
      await chmod(ROOT_STAGING_DIR, 0o755);
    }
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (who) await chown(dir, who.uid, who.gid);
    await chmod(dir, 0o700);
  } catch (error) {
    throw new EmbeddedPostgresError(
      Code.DataDirNotWritable,
      `cannot prepare the PostgreSQL data directory ${dir}: ${(error as Error).message}`,
    );
  }
  return dir;
}

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'postgres.password');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function initCluster(
  binaries: Binaries,
  clusterDir: string,
  password: string,
  who: (PosixIdentity & { gid: number }) | undefined,
  log: NonNullable<EmbeddedPostgresOptions['log']>,
): Promise<void> {
  const pwfile = join(clusterDir, '..', `.pwfile-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (who) await chown(pwfile, who.uid, who.gid);
  try {
    log('info', `initialising a PostgreSQL cluster in ${clusterDir}`);
    const args = [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-instructions'];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(binaries.initdb, args, { ...(who ? { uid: who.uid, gid: who.gid } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', (error) => reject(new EmbeddedPostgresError(Code.InitFailed, `initdb could not run: ${error.message}`)));
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new EmbeddedPostgresError(Code.InitFailed, `initdb failed for ${clusterDir} (exit ${code}): ${tail(output)}`));
      });
    });
  } catch (error) {
    // A half-initialised cluster would fail every later start in confusing ways.
    await rm(join(clusterDir, 'PG_VERSION'), { force: true });
    throw error;
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * A postmaster.pid left behind is harmless when its process is gone (PostgreSQL checks that
 * itself). A live server whose owner (recorded in the runtime file) has died — a hub that was
 * killed — is shut down; a live server with a live owner means another hub uses this directory.
 */
async function reclaimOrRefuse(clusterDir: string, runtimeFile: string, log: NonNullable<EmbeddedPostgresOptions['log']>): Promise<void> {
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
  who: (PosixIdentity & { gid: number }) | undefined,
  log: NonNullable<EmbeddedPostgresOptions['log']>,
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
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
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

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-6).join(' | ') || '(no output)';
}
