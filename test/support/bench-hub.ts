import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import { EmbeddedPostgresServer } from '@flotilla/database';
import pg from 'pg';
import { startHub, type RunningHub } from '../../apps/hub/src/bootstrap/start-hub.js';
import { loadHubConfig } from '../../apps/hub/src/config/hub-config.js';
import { spawnHub, type HubProcess } from './hub-process.js';
import { graphqlRequest } from './test-hub.js';

/** A hub in the benchmark's own process, for benchmarks that need its services directly: its own database on FLOTILLA_BENCH_DATABASE_URL (an admin URL) or an embedded server. */
export interface BenchHub {
  readonly hub: RunningHub;
  readonly url: string;
  readonly databaseUrl: string;
  readonly scratch: string;
  /** The admin API token the hub created on its first start. */
  readonly token: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A scratch directory and a database of its own for one benchmark hub, on FLOTILLA_BENCH_DATABASE_URL or an embedded server. */
interface BenchDatabase {
  readonly scratch: string;
  readonly url: URL;
  /** Which PostgreSQL serves it: embedded or external, and its version. */
  readonly postgres: string;
  drop(): Promise<void>;
}

async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const scratch = await mkdtemp(join(tmpdir(), `flotilla-bench-${name}-`));
  await chmod(scratch, 0o755);
  let embedded: EmbeddedPostgresServer | undefined;
  let adminUrl = process.env.FLOTILLA_BENCH_DATABASE_URL;
  if (!adminUrl) {
    embedded = await EmbeddedPostgresServer.start({ dataDir: join(scratch, 'pg') });
    adminUrl = embedded.url;
  }
  const dbName = `flotilla_bench_${name.replaceAll('-', '_')}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const version = (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return {
    scratch,
    url,
    postgres: `${embedded ? 'embedded' : `external ${url.host}`} PostgreSQL ${version}`,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** GraphQL as the admin: the data, or the errors thrown. */
function adminGql(url: string, token: string) {
  return async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await graphqlRequest<T>(url, query, { token, variables });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
}

export async function startBenchHub(name: string): Promise<BenchHub> {
  const { scratch, url: dbUrl, drop } = await createBenchDatabase(name);
  let token = '';
  const hub = await startHub(
    loadHubConfig({
      FLOTILLA_HTTP_PORT: '0',
      FLOTILLA_REGISTRATION_PORT: '0',
      FLOTILLA_GRPC_PORT: '0',
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_DATA_DIR: join(scratch, 'hub'),
      DATABASE_URL: dbUrl.toString(),
      FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
      FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
    }),
    { logger: new ConsoleLogger({ logLevels: ['error'] }), onInitialAdminToken: (t) => (token = t) },
  );
  const url = `http://127.0.0.1:${hub.httpPort}`;
  return {
    hub,
    url,
    databaseUrl: dbUrl.toString(),
    scratch,
    token,
    gql: adminGql(url, token),
    close: async () => {
      await hub.close();
      await drop();
    },
  };
}

/** A hub in its own OS process for a benchmark (so its RSS is its own), on a database of its own. */
export interface BenchHubProcess {
  readonly process: HubProcess;
  readonly url: string;
  readonly grpcPort: number;
  readonly registrationPort: number;
  readonly databaseUrl: string;
  /** Which PostgreSQL serves the hub: embedded or external, and its version. */
  readonly postgres: string;
  readonly scratch: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The hub process's resident set size now, from /proc. */
  rssBytes(): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchHubProcess(name: string, env: Record<string, string> = {}): Promise<BenchHubProcess> {
  const { scratch, url: dbUrl, postgres, drop } = await createBenchDatabase(name);
  const hub = spawnHub({
    FLOTILLA_HTTP_PORT: '0',
    FLOTILLA_BIND_ADDRESS: '127.0.0.1',
    FLOTILLA_DATA_DIR: join(scratch, 'hub'),
    DATABASE_URL: dbUrl.toString(),
    FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
    FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
    FLOTILLA_LOG_LEVEL: 'log',
    ...env,
  });
  const close = async (): Promise<void> => {
    if (hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    await drop();
  };
  try {
    const [, httpPort] = await hub.waitForOutput(/hub ready in \d+ ms: http:\/\/127\.0\.0\.1:(\d+)\//, 120_000);
    const [, grpcPort] = await hub.waitForOutput(/agent stream listening on 127\.0\.0\.1:(\d+)/);
    const [, registrationPort] = await hub.waitForOutput(/agent registration listening on 127\.0\.0\.1:(\d+)/);
    const [, token] = await hub.waitForOutput(/(flt_[A-Za-z0-9_-]{43})/);
    const url = `http://127.0.0.1:${httpPort}`;
    return {
      process: hub,
      url,
      grpcPort: Number(grpcPort),
      registrationPort: Number(registrationPort),
      databaseUrl: dbUrl.toString(),
      postgres,
      scratch,
      gql: adminGql(url, token!),
      rssBytes: async () => {
        const status = await readFile(`/proc/${hub.child.pid}/status`, 'utf8');
        return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
