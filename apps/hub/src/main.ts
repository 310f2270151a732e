import { EmbeddedPostgresError } from '@flotilla/database';
import { createJsonLogger } from '@flotilla/observability';
import { HubStartError } from './bootstrap/hub-start.error.js';
import { startHub, type RunningHub } from './bootstrap/start-hub.js';
import { ConfigError } from './config/config.error.js';
import { HUB_SETTINGS, loadHubConfig, type HubConfig } from './config/hub-config.js';
import { misspelledSettings } from './config/misspelled-settings.util.js';

/** Exit codes: 0 stopped cleanly, 1 failed at run time, 2 unusable configuration. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config: HubConfig;
  try {
    config = loadHubConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`flotilla hub: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger(config.logLevel, 'Hub');
  for (const warning of misspelledSettings(process.env, HUB_SETTINGS)) logger.warn(warning);

  let hub: RunningHub | undefined;
  let stopping = false;
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) {
      logger.warn(`${reason} again: exiting without waiting`);
      process.exit(code || 1);
    }
    stopping = true;
    logger.log(`${reason}: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms: exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await hub?.close().catch((error: Error) => logger.error(`shutdown: ${error.message}`));
    logger.log('stopped');
    process.exit(code);
  };
  // A safety net: a promise someone forgot to handle is a bug to log, not a reason to drop every agent.
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));

  try {
    hub = await startHub(config, {
      logger,
      onInitialAdminToken: printInitialAdminToken,
      onFatal: (reason) => {
        logger.fatal(reason);
        void stop('fatal', 1);
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`flotilla hub: ${error.message}\n`);
      process.exit(2);
    }
    const known = error instanceof HubStartError || error instanceof EmbeddedPostgresError;
    logger.fatal(known ? error.message : `start failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
  if (stopping) return;
  const ms = Math.round(performance.now() - startedAt);
  const database = config.databaseUrl ? 'external PostgreSQL' : `embedded PostgreSQL on port ${hub.embeddedPostgres!.port}`;
  logger.log(`hub ready in ${ms} ms: http://${config.bindAddress}:${hub.httpPort}/graphql (${database})`);
}

function printInitialAdminToken(token: string): void {
  process.stderr.write(
    [
      '',
      '==================================================================',
      ' Flotilla created the first admin API token. It is shown only once:',
      '',
      `   ${token}`,
      '',
      ' Send it as "Authorization: Bearer <token>". Create more with the',
      ' createApiToken mutation or "flotilla token create".',
      '==================================================================',
      '',
    ].join('\n'),
  );
}

await main();
