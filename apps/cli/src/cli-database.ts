import { resolve } from 'node:path';
import { dataSourceOptions, EmbeddedPostgresServer, migrateUp } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { CliError } from './cli.error.js';

/** A database connection for one CLI command, and how to let go of it (and of a server it started). */
export interface CliDatabase {
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * The hub's database, found the way the hub finds it: DATABASE_URL when set; otherwise the
 * embedded PostgreSQL of FLOTILLA_DATA_DIR — the running hub's server when there is one, or a
 * server started for this command and stopped after it.
 */
export async function openCliDatabase(env: NodeJS.ProcessEnv, options: { migrate: boolean }): Promise<CliDatabase> {
  let url = env.DATABASE_URL?.trim() || undefined;
  let embedded: EmbeddedPostgresServer | undefined;
  if (url && !/^postgres(ql)?:\/\/\S+$/.test(url)) throw new CliError('DATABASE_URL: expected a postgres:// or postgresql:// URL', 2);
  if (!url) {
    const dataDir = resolve(env.FLOTILLA_DATA_DIR?.trim() || '.flotilla');
    url = await EmbeddedPostgresServer.findRunning(dataDir);
    if (!url) {
      process.stderr.write(`starting the embedded PostgreSQL of ${dataDir} for this command\n`);
      embedded = await EmbeddedPostgresServer.start({ dataDir });
      url = embedded.url;
    }
  }
  const dataSource = new DataSource(dataSourceOptions(url));
  try {
    await dataSource.initialize();
    if (options.migrate) await migrateUp(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    await embedded?.stop();
    throw new CliError(`cannot use the database: ${(error as Error).message}`);
  }
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
