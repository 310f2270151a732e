import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity.js';
import { AuditRecordEntity } from './audit-record.entity.js';
import { migrations } from './migrations/index.js';

/** Entities this library owns; features add theirs beside them. */
export const foundationEntities = [ApiTokenEntity, AuditRecordEntity];

/** Options shared by the hub, the CLI and the tests, so all three see the same schema. Never `synchronize`. */
export function dataSourceOptions(url: string, entities: DataSourceOptions['entities'] = foundationEntities): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'flotilla_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: 'flotilla',
    extra: { max: 20, connectionTimeoutMillis: 10_000 },
  };
}

const MIGRATION_LOCK = 0x666c6f74; // "flot": one migrator at a time across hub replicas and the CLI

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migrateUp(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name));
}

/** Reverts the newest applied migration; returns its name, or undefined when none was applied. */
export async function migrateDown(dataSource: DataSource): Promise<string | undefined> {
  return withMigrationLock(dataSource, async () => {
    const before = await appliedMigrations(dataSource);
    if (before.length === 0) return undefined;
    await dataSource.undoLastMigration({ transaction: 'each' });
    return before[before.length - 1];
  });
}

export async function appliedMigrations(dataSource: DataSource): Promise<string[]> {
  const table = await dataSource.query(`SELECT to_regclass('flotilla_migrations') AS t`);
  if (!table[0].t) return [];
  const rows: { name: string }[] = await dataSource.query(`SELECT name FROM flotilla_migrations ORDER BY id`);
  return rows.map((row) => row.name);
}

async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
