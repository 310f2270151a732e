import { resolve } from 'node:path';
import { z } from 'zod';
import { FLOTILLA_VERSION, LOG_LEVELS, type FlotillaLogLevel } from '@flotilla/observability';
import { agentsConfigFrom, agentsConfigShape, type AgentsConfig } from './agents-config.js';
import { ConfigError } from './config.error.js';
import { eventsConfigFrom, eventsConfigShape, type EventsConfig } from './events-config.js';
import { boundedInteger, flag, optionalText, port } from './env-schema.util.js';

/** The hub's configuration, read once from the environment at start-up and never again. */
export interface HubConfig {
  readonly environment: 'development' | 'production';
  readonly bindAddress: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly dataDir: string;
  /** Undefined: run the embedded PostgreSQL in `<dataDir>/postgres`. */
  readonly databaseUrl: string | undefined;
  readonly embeddedPostgresPort: number;
  readonly encryptionKey: string | undefined;
  readonly logLevel: FlotillaLogLevel;
  readonly initialAdminTokenFile: string | undefined;
  /** Where the audit chain's head is written (as well as the log), to detect a rewrite of the whole table. */
  readonly auditHeadFile: string | undefined;
  readonly graphqlIntrospection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Git sources: what may be fetched, how long and how much. */
  readonly sources: SourcesConfig;
  /** Agent registration and identity. */
  readonly agents: AgentsConfig;
  /** Event timeline retention and live subscriptions. */
  readonly events: EventsConfig;
}

/** Limits and switches of the Git sources feature (FLOTILLA_GIT_*, FLOTILLA_SOURCE_*). */
export interface SourcesConfig {
  /** file:// URLs and local paths (tests, demos). */
  readonly allowFileUrls: boolean;
  /** Plain http:// repository URLs. */
  readonly allowInsecureHttp: boolean;
  readonly fetchTimeoutMs: number;
  readonly maxRepoBytes: number;
  /** Default poll interval of a source; 0 turns polling off (webhooks and syncSource only). */
  readonly pollIntervalSeconds: number;
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

const MIB = 1024 * 1024;

const schema = z.object({
  FLOTILLA_ENV: z.enum(['development', 'production'], { message: 'expected "development" or "production"' }).default('development'),
  FLOTILLA_BIND_ADDRESS: z.string().trim().min(1).default('0.0.0.0'),
  FLOTILLA_HTTP_PORT: port(8080),
  FLOTILLA_GRPC_PORT: port(8443),
  FLOTILLA_DATA_DIR: z.string().trim().min(1, 'must not be empty').default('.flotilla'),
  DATABASE_URL: optionalText.refine((url) => url === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(url), {
    message: 'expected a postgres:// or postgresql:// URL',
  }),
  FLOTILLA_EMBEDDED_PG_PORT: port(0),
  FLOTILLA_ENCRYPTION_KEY: optionalText,
  FLOTILLA_LOG_LEVEL: z
    .string()
    .default('log')
    .transform((raw) => (raw.trim().toLowerCase() === 'info' ? 'log' : raw.trim().toLowerCase()))
    .pipe(z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')} (or info)` })),
  FLOTILLA_INITIAL_ADMIN_TOKEN_FILE: optionalText,
  FLOTILLA_AUDIT_HEAD_FILE: optionalText,
  FLOTILLA_GRAPHQL_INTROSPECTION: z.string().optional(),
  FLOTILLA_SHUTDOWN_TIMEOUT_MS: z
    .string()
    .default('10000')
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 100 || value > 600_000) {
        ctx.addIssue({ code: 'custom', message: `expected milliseconds from 100 to 600000, got "${raw}"` });
        return z.NEVER;
      }
      return value;
    }),
  FLOTILLA_GIT_ALLOW_FILE_URLS: z.string().optional(),
  FLOTILLA_GIT_ALLOW_INSECURE_HTTP: z.string().optional(),
  FLOTILLA_GIT_FETCH_TIMEOUT_MS: boundedInteger(60_000, 1_000, 3_600_000, 'milliseconds'),
  FLOTILLA_GIT_MAX_REPO_BYTES: boundedInteger(1024 * MIB, MIB, 1024 * 1024 * MIB, 'bytes'),
  FLOTILLA_SOURCE_POLL_INTERVAL_S: boundedInteger(60, 0, 86_400, 'seconds'),
  FLOTILLA_GIT_MAX_FILES: boundedInteger(10_000, 1, 1_000_000, 'files'),
  FLOTILLA_GIT_MAX_FILE_BYTES: boundedInteger(5 * MIB, 1, 1024 * MIB, 'bytes'),
  FLOTILLA_GIT_MAX_TOTAL_BYTES: boundedInteger(50 * MIB, 1, 16 * 1024 * MIB, 'bytes'),
  ...agentsConfigShape,
  ...eventsConfigShape,
});

/** Every environment variable the hub reads. */
export const HUB_SETTINGS: readonly string[] = Object.keys(schema.shape);

/** Validates the environment into a HubConfig, or throws a ConfigError naming every bad variable. */
export function loadHubConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): HubConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const value = parsed.data;
  const production = value.FLOTILLA_ENV === 'production';
  const introspection = flag(!production).safeParse(value.FLOTILLA_GRAPHQL_INTROSPECTION);
  const problems: string[] = [];
  if (!introspection.success) problems.push(`FLOTILLA_GRAPHQL_INTROSPECTION: ${introspection.error.issues[0]!.message}`);
  const allowFileUrls = flag(false).safeParse(value.FLOTILLA_GIT_ALLOW_FILE_URLS);
  if (!allowFileUrls.success) problems.push(`FLOTILLA_GIT_ALLOW_FILE_URLS: ${allowFileUrls.error.issues[0]!.message}`);
  const allowInsecureHttp = flag(false).safeParse(value.FLOTILLA_GIT_ALLOW_INSECURE_HTTP);
  if (!allowInsecureHttp.success) problems.push(`FLOTILLA_GIT_ALLOW_INSECURE_HTTP: ${allowInsecureHttp.error.issues[0]!.message}`);
  if (value.FLOTILLA_GIT_MAX_FILE_BYTES > value.FLOTILLA_GIT_MAX_TOTAL_BYTES) {
    problems.push('FLOTILLA_GIT_MAX_FILE_BYTES: must not exceed FLOTILLA_GIT_MAX_TOTAL_BYTES');
  }
  if (production && !value.FLOTILLA_ENCRYPTION_KEY) {
    problems.push('FLOTILLA_ENCRYPTION_KEY: required when FLOTILLA_ENV=production (generate one with "flotilla key generate")');
  }
  if (value.FLOTILLA_HTTP_PORT !== 0 && value.FLOTILLA_HTTP_PORT === value.FLOTILLA_GRPC_PORT) {
    problems.push(`FLOTILLA_GRPC_PORT: must differ from FLOTILLA_HTTP_PORT (both are ${value.FLOTILLA_HTTP_PORT})`);
  }
  const agents = agentsConfigFrom(value, value.FLOTILLA_GRPC_PORT, FLOTILLA_VERSION, cwd, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    environment: value.FLOTILLA_ENV,
    bindAddress: value.FLOTILLA_BIND_ADDRESS,
    httpPort: value.FLOTILLA_HTTP_PORT,
    grpcPort: value.FLOTILLA_GRPC_PORT,
    dataDir: resolve(cwd, value.FLOTILLA_DATA_DIR),
    databaseUrl: value.DATABASE_URL,
    embeddedPostgresPort: value.FLOTILLA_EMBEDDED_PG_PORT,
    encryptionKey: value.FLOTILLA_ENCRYPTION_KEY,
    logLevel: value.FLOTILLA_LOG_LEVEL,
    initialAdminTokenFile: value.FLOTILLA_INITIAL_ADMIN_TOKEN_FILE ? resolve(cwd, value.FLOTILLA_INITIAL_ADMIN_TOKEN_FILE) : undefined,
    auditHeadFile: value.FLOTILLA_AUDIT_HEAD_FILE ? resolve(cwd, value.FLOTILLA_AUDIT_HEAD_FILE) : undefined,
    graphqlIntrospection: introspection.success ? introspection.data : false,
    shutdownTimeoutMs: value.FLOTILLA_SHUTDOWN_TIMEOUT_MS,
    sources: {
      allowFileUrls: allowFileUrls.success ? allowFileUrls.data : false,
      allowInsecureHttp: allowInsecureHttp.success ? allowInsecureHttp.data : false,
      fetchTimeoutMs: value.FLOTILLA_GIT_FETCH_TIMEOUT_MS,
      maxRepoBytes: value.FLOTILLA_GIT_MAX_REPO_BYTES,
      pollIntervalSeconds: value.FLOTILLA_SOURCE_POLL_INTERVAL_S,
      maxFiles: value.FLOTILLA_GIT_MAX_FILES,
      maxFileBytes: value.FLOTILLA_GIT_MAX_FILE_BYTES,
      maxTotalBytes: value.FLOTILLA_GIT_MAX_TOTAL_BYTES,
    },
    agents,
    events: eventsConfigFrom(value),
  };
}
