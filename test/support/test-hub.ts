import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { startHub, type RunningHub } from '../../apps/hub/src/bootstrap/start-hub.js';
import { loadHubConfig } from '../../apps/hub/src/config/hub-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A real hub in this process, on its own database and an ephemeral port. */
export interface TestHub {
  readonly url: string;
  readonly adminToken: string;
  readonly database: TestDatabase;
  readonly hub: RunningHub;
  /** The hub's FLOTILLA_DATA_DIR (removed by close()). */
  readonly dataDir: string;
  graphql<T = Record<string, unknown>>(query: string, options?: { token?: string; variables?: Record<string, unknown> }): Promise<GraphqlResponse<T>>;
  close(): Promise<void>;
}

export interface GraphqlResponse<T> {
  readonly data?: T | null;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
}

export interface TestHubOptions {
  readonly env?: Record<string, string>;
  /** What the hub may log; errors by default, none where a test provokes them on purpose. */
  readonly logLevels?: LogLevel[];
  /** Receives every log line instead of the console (then `logLevels` is ignored), e.g. to assert on logs. */
  readonly logger?: LoggerService;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-hub-'));
  const config = loadHubConfig({
    FLOTILLA_HTTP_PORT: '0',
    FLOTILLA_REGISTRATION_PORT: '0',
    FLOTILLA_GRPC_PORT: '0',
    FLOTILLA_BIND_ADDRESS: '127.0.0.1',
    FLOTILLA_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    ...options.env,
  });
  let adminToken = '';
  const logger = options.logger ?? new ConsoleLogger({ logLevels: options.logLevels ?? ['error'] });
  const hub = await startHub(config, { logger, onInitialAdminToken: (token) => (adminToken = token) });
  const url = `http://127.0.0.1:${hub.httpPort}`;
  return {
    url,
    adminToken,
    database,
    hub,
    dataDir,
    graphql: (query, options = {}) => graphqlRequest(url, query, options),
    close: async () => {
      await hub.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function graphqlRequest<T>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return (await response.json()) as GraphqlResponse<T>;
}
