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
});
