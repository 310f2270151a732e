import { ConfigError } from './config.error.js';
import { loadHubConfig } from './hub-config.js';

describe('loadHubConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadHubConfig({}, '/srv');
    expect(config).toMatchObject({
      environment: 'development',
      httpPort: 8080,
      grpcPort: 8443,
      dataDir: '/srv/.flotilla',
      databaseUrl: undefined,
      embeddedPostgresPort: 0,
      logLevel: 'log',
      graphqlIntrospection: true,
    });
  });

  it('reads every variable', () => {
    const config = loadHubConfig(
      {
        FLOTILLA_HTTP_PORT: '9000',
        FLOTILLA_GRPC_PORT: '9443',
        FLOTILLA_DATA_DIR: '/var/lib/flotilla',
        DATABASE_URL: 'postgres://u:p@db:5432/flotilla',
        FLOTILLA_LOG_LEVEL: 'info',
        FLOTILLA_ENV: 'production',
        FLOTILLA_ENCRYPTION_KEY: 'k1:x',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      httpPort: 9000,
      grpcPort: 9443,
      dataDir: '/var/lib/flotilla',
      databaseUrl: 'postgres://u:p@db:5432/flotilla',
      logLevel: 'log',
      environment: 'production',
      graphqlIntrospection: false,
    });
  });

  it.each([
    [{ FLOTILLA_HTTP_PORT: 'eighty' }, 'FLOTILLA_HTTP_PORT: expected a port number from 0 to 65535, got "eighty"'],
    [{ FLOTILLA_GRPC_PORT: '70000' }, 'FLOTILLA_GRPC_PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: expected a postgres:// or postgresql:// URL'],
    [{ FLOTILLA_ENV: 'staging' }, 'FLOTILLA_ENV'],
    [{ FLOTILLA_LOG_LEVEL: 'loud' }, 'FLOTILLA_LOG_LEVEL'],
    [{ FLOTILLA_ENV: 'production' }, 'FLOTILLA_ENCRYPTION_KEY: required when FLOTILLA_ENV=production'],
    [{ FLOTILLA_HTTP_PORT: '9000', FLOTILLA_GRPC_PORT: '9000' }, 'FLOTILLA_GRPC_PORT: must differ'],
    [{ FLOTILLA_GRAPHQL_INTROSPECTION: 'maybe' }, 'FLOTILLA_GRAPHQL_INTROSPECTION'],
    [{ FLOTILLA_SHUTDOWN_TIMEOUT_MS: '5' }, 'FLOTILLA_SHUTDOWN_TIMEOUT_MS'],
  ])('refuses %j naming the variable', (env, expected) => {
    expect(() => loadHubConfig(env)).toThrow(ConfigError);
    expect(() => loadHubConfig(env)).toThrow(expected);
  });

  it('reports every bad variable at once', () => {
    try {
      loadHubConfig({ FLOTILLA_HTTP_PORT: 'x', DATABASE_URL: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  describe('Git sources', () => {
    it('applies the documented defaults', () => {
      expect(loadHubConfig({}).sources).toEqual({
        allowFileUrls: false,
        allowInsecureHttp: false,
        fetchTimeoutMs: 60_000,
        maxRepoBytes: 1024 ** 3,
        pollIntervalSeconds: 60,
        maxFiles: 10_000,
        maxFileBytes: 5 * 1024 ** 2,
        maxTotalBytes: 50 * 1024 ** 2,
      });
    });

    it('reads every variable', () => {
      const config = loadHubConfig({
        FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
        FLOTILLA_GIT_ALLOW_INSECURE_HTTP: 'yes',
        FLOTILLA_GIT_FETCH_TIMEOUT_MS: '5000',
        FLOTILLA_GIT_MAX_REPO_BYTES: '2097152',
        FLOTILLA_SOURCE_POLL_INTERVAL_S: '0',
        FLOTILLA_GIT_MAX_FILES: '10',
        FLOTILLA_GIT_MAX_FILE_BYTES: '100',
        FLOTILLA_GIT_MAX_TOTAL_BYTES: '1000',
      });
      expect(config.sources).toEqual({
        allowFileUrls: true,
        allowInsecureHttp: true,
        fetchTimeoutMs: 5_000,
        maxRepoBytes: 2_097_152,
        pollIntervalSeconds: 0,
        maxFiles: 10,
        maxFileBytes: 100,
        maxTotalBytes: 1_000,
      });
    });

    it.each([
      [{ FLOTILLA_GIT_ALLOW_FILE_URLS: 'perhaps' }, 'FLOTILLA_GIT_ALLOW_FILE_URLS: expected true or false, got "perhaps"'],
      [{ FLOTILLA_GIT_ALLOW_INSECURE_HTTP: '2' }, 'FLOTILLA_GIT_ALLOW_INSECURE_HTTP'],
      [{ FLOTILLA_GIT_FETCH_TIMEOUT_MS: '10' }, 'FLOTILLA_GIT_FETCH_TIMEOUT_MS: expected milliseconds from 1000 to 3600000, got "10"'],
      [{ FLOTILLA_GIT_MAX_REPO_BYTES: 'lots' }, 'FLOTILLA_GIT_MAX_REPO_BYTES'],
      [{ FLOTILLA_SOURCE_POLL_INTERVAL_S: '-1' }, 'FLOTILLA_SOURCE_POLL_INTERVAL_S'],
      [{ FLOTILLA_GIT_MAX_FILES: '0' }, 'FLOTILLA_GIT_MAX_FILES'],
      [{ FLOTILLA_GIT_MAX_FILE_BYTES: '1.5' }, 'FLOTILLA_GIT_MAX_FILE_BYTES'],
      [{ FLOTILLA_GIT_MAX_FILE_BYTES: '2000', FLOTILLA_GIT_MAX_TOTAL_BYTES: '1000' }, 'FLOTILLA_GIT_MAX_FILE_BYTES: must not exceed FLOTILLA_GIT_MAX_TOTAL_BYTES'],
    ])('refuses %j naming the variable', (env, expected) => {
      expect(() => loadHubConfig(env)).toThrow(ConfigError);
      expect(() => loadHubConfig(env)).toThrow(expected);
    });
  });
});
