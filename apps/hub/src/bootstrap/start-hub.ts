import { writeFile } from 'node:fs/promises';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiTokenRepository, dataSourceOptions, EmbeddedPostgresServer, migrateUp } from '@flotilla/database';
import { DataSource } from 'typeorm';
import type { HubConfig } from '../config/hub-config.js';
import { loadEncryptionKeyring } from '../encryption/load-encryption-keyring.util.js';
import { AgentGatewayServer } from '../agent-gateway/agent-gateway.server.js';
import { limitSubscriptionMessages } from '../graphql/subscription-message-limit.js';
import { HubModule } from '../hub.module.js';
import { RegistrationGrpcServer } from '../registration/registration.grpc-server.js';
import { isJsonBodyOutsideWebhooks } from '../sources/webhook-path.util.js';
import { HubStartError } from './hub-start.error.js';
import { prepareDataDir } from './prepare-data-dir.util.js';
import { redactDatabaseUrl } from './redact-database-url.util.js';

export interface StartHubOptions {
  readonly logger: LoggerService;
  /** Receives the first admin token when this start created it (printed once by main). */
  readonly onInitialAdminToken?: (token: string) => void;
  /** Called when something the hub cannot live without dies (the embedded PostgreSQL). */
  readonly onFatal?: (reason: string) => void;
}

/** A started hub; close() stops HTTP, the database pool and the embedded PostgreSQL, in that order. */
export interface RunningHub {
  readonly httpPort: number;
  /** Port of the agent registration listener. */
  readonly registrationPort: number;
  /** Port of the agents' stream (mutual TLS). */
  readonly grpcPort: number;
  readonly databaseUrl: string;
  readonly embeddedPostgres: EmbeddedPostgresServer | undefined;
  close(): Promise<void>;
}

/**
 * Brings the hub up: encryption key → database (embedded unless DATABASE_URL) → migrations →
 * Nest application → first admin token → HTTP listener. Whatever was started is stopped again
 * when a later step fails, so a failed start leaves no process behind.
 */
export async function startHub(config: HubConfig, options: StartHubOptions): Promise<RunningHub> {
  const { logger } = options;
  await prepareDataDir(config.dataDir);
  const keyring = await loadEncryptionKeyring(config, (message) => logger.warn(message, 'Encryption'));
  let embedded: EmbeddedPostgresServer | undefined;
  let app: NestExpressApplication | undefined;
  let closing = false;
  try {
    if (!config.databaseUrl) {
      embedded = await EmbeddedPostgresServer.start({
        dataDir: config.dataDir,
        port: config.embeddedPostgresPort,
        log: (level, message) => (level === 'debug' ? logger.debug?.(message, 'EmbeddedPostgres') : logger[level === 'warn' ? 'warn' : 'log'](message, 'EmbeddedPostgres')),
      });
      embedded.whenExited.then(() => {
        if (!closing) options.onFatal?.('the embedded PostgreSQL exited unexpectedly');
      });
    }
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    await migrate(databaseUrl, logger);

    app = await NestFactory.create<NestExpressApplication>(HubModule.forRoot({ config, databaseUrl, keyring }), {
      logger,
      abortOnError: false,
      bodyParser: false,
    });
    // JSON bodies up to 1 MB, except under /webhooks/: webhook routes read their raw body themselves
    // (signatures are over the exact bytes) with their own limit.
    app.useBodyParser('json', { limit: '1mb', type: isJsonBodyOutsideWebhooks });

    const initial = await app.get(ApiTokenRepository).issueInitialAdmin();
    if (initial) {
      logger.warn(`created the first admin API token "${initial.record.name}" (id ${initial.record.id}); it is shown once`, 'Auth');
      if (config.initialAdminTokenFile) await writeFile(config.initialAdminTokenFile, `${initial.token}\n`, { mode: 0o600 });
      options.onInitialAdminToken?.(initial.token);
    }

    await app.init();
    limitSubscriptionMessages(app, config.events.maxSubscriptionMessageBytes);
    await app.listen(config.httpPort, config.bindAddress).catch((error: NodeJS.ErrnoException) => {
      throw new HubStartError(
        error.code === 'EADDRINUSE'
          ? `FLOTILLA_HTTP_PORT: port ${config.httpPort} on ${config.bindAddress} is already in use`
          : `cannot listen on ${config.bindAddress}:${config.httpPort}: ${error.message}`,
      );
    });
    const httpPort = (app.getHttpServer().address() as { port: number }).port;
    const registrationPort = app.get(RegistrationGrpcServer).port;
    const grpcPort = app.get(AgentGatewayServer).port;
    const started = app;
    return {
      httpPort,
      registrationPort,
      grpcPort,
      databaseUrl,
      embeddedPostgres: embedded,
      close: async () => {
        closing = true;
        await started.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    closing = true;
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

async function migrate(url: string, logger: LoggerService): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(url));
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new HubStartError(`cannot connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${(error as Error).message}`);
  }
  try {
    const applied = await migrateUp(dataSource);
    if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`, 'Database');
  } finally {
    await dataSource.destroy();
  }
}
