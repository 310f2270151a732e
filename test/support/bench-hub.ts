import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import { EmbeddedPostgresServer } from '@flotilla/database';
import pg from 'pg';
import { startHub, type RunningHub } from '../../apps/hub/src/bootstrap/start-hub.js';
import { loadHubConfig } from '../../apps/hub/src/config/hub-config.js';
import { graphqlRequest } from './test-hub.js';

/** A hub for a benchmark: its own database on FLOTILLA_BENCH_DATABASE_URL (an admin URL) or an embedded server. */
export interface BenchHub {
  readonly hub: RunningHub;
  readonly url: string;
  readonly databaseUrl: string;
  readonly scratch: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchHub(name: string): Promise<BenchHub> {
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
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
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
    gql: async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
      const result = await graphqlRequest<T>(url, query, { token, variables });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    },
    close: async () => {
      await hub.close();
      await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
