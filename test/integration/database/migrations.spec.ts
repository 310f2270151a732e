import { DataSource } from 'typeorm';
import { appliedMigrations, AuditLogRepository, dataSourceOptions, migrateDown, migrateUp, migrations } from '@flotilla/database';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

describe('migrations on a real PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const tables = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map(
      (row: { tablename: string }) => row.tablename,
    );

  it('applies every migration, reverts them all, and applies them again', async () => {
    expect(await migrateUp(dataSource)).toEqual(migrations.map((m) => m.name));
    expect(await tables()).toEqual(expect.arrayContaining(['api_tokens', 'audit_log', 'flotilla_migrations']));
    expect(await migrateUp(dataSource)).toEqual([]);

    for (let left = migrations.length; left > 0; left -= 1) {
      expect(await migrateDown(dataSource)).toBe(migrations[left - 1]!.name);
    }
    expect(await appliedMigrations(dataSource)).toEqual([]);
    expect(await tables()).toEqual(['flotilla_migrations']);
    expect(await migrateDown(dataSource)).toBeUndefined();

    await migrateUp(dataSource);
    expect(await appliedMigrations(dataSource)).toEqual(migrations.map((m) => m.name));
  });

  it('keeps the audit log append-only', async () => {
    await new AuditLogRepository(dataSource).append({ actor: 'test', action: 'probe', arguments: {}, outcome: 'succeeded' });
    await expect(dataSource.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n).toBe(1);
  });

  it('seals audit records written before the chain existed', async () => {
    while ((await appliedMigrations(dataSource)).includes('AuditChain1763850000000')) await migrateDown(dataSource);
    await dataSource.query(`INSERT INTO audit_log (actor, action, arguments, outcome) VALUES ('old', 'before-the-chain', '{"n": 1}', 'succeeded')`);
    await migrateUp(dataSource);
    const log = new AuditLogRepository(dataSource);
    await log.append({ actor: 'new', action: 'after', arguments: {}, outcome: 'succeeded' });
    expect(await log.verify()).toMatchObject({ valid: true, records: 3 });
  });

  it('leaves room on bundle_statuses pages for HOT updates, and takes it back on the way down', async () => {
    const options = async () => (await dataSource.query(`SELECT reloptions FROM pg_class WHERE relname = 'bundle_statuses'`))[0].reloptions as string[] | null;
    expect(await options()).toEqual(['fillfactor=50']);
    while ((await appliedMigrations(dataSource)).includes('StatusFillfactor1763910000000')) await migrateDown(dataSource);
    expect(await options()).toBeNull();
    await migrateUp(dataSource);
    expect(await options()).toEqual(['fillfactor=50']);
  });
});
