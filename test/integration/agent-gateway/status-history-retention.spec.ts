import { dataSourceOptions, migrateUp } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { StatusHistoryRetention } from '../../../apps/hub/src/agent-gateway/status-history-retention.service.js';
import { StatusHistoryRepository } from '../../../apps/hub/src/agent-gateway/status-history.repository.js';
import type { HubConfig } from '../../../apps/hub/src/config/hub-config.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const DAY = 86_400_000;

/** Status history retention against real PostgreSQL (real migrations). */
describe('StatusHistoryRetention', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let bundleId: string;
  let clusterId: string;

  /** Appends transitions recorded `ageDays` ago, in this order (ids follow it). */
  const record = async (...ageDays: number[]): Promise<void> => {
    for (const age of ageDays) await recordAt(new Date(Date.now() - age * DAY), `age-${age}`);
  };
  const recordAt = async (at: Date, label: string): Promise<void> => {
    await dataSource.query(`INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, recorded_at) VALUES ($1, $2, 1, 'APPLIED', $3, $4)`, [bundleId, clusterId, label, at]);
  };
  const left = async (): Promise<string[]> => ((await dataSource.query(`SELECT health FROM bundle_status_history ORDER BY id`)) as { health: string }[]).map((r) => r.health);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    await migrateUp(dataSource);
    const [source] = await dataSource.query(`INSERT INTO sources (id, name, url, ref, webhook_secret) VALUES (gen_random_uuid(), 's', 'file:///x', 'main', '\\x00') RETURNING id`);
    bundleId = (await dataSource.query(`INSERT INTO bundles (source_id, name, path) VALUES ($1, 'web', 'web') RETURNING id::text AS id`, [source.id]))[0].id;
    clusterId = (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-1') RETURNING id::text AS id`))[0].id;
    await dataSource.query(`INSERT INTO bundle_statuses (bundle_id, cluster_id) VALUES ($1, $2)`, [bundleId, clusterId]);
  });

  afterEach(async () => {
    await dataSource.query(`DELETE FROM bundle_status_history`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('deletes the transitions older than the cutoff, in batches, and keeps the rest — a late writer’s old row included', async () => {
    const cutoff = new Date(Date.now() - 10 * DAY);
    const at = (seconds: number): Date => new Date(cutoff.getTime() + seconds * 1_000);
    for (const [seconds, label] of [[-300, 'old-1'], [-200, 'old-2'], [-100, 'old-3'], [10, 'new-1']] as const) await recordAt(at(seconds), label);
    // A statement that began 30 s before new-1 and committed after it: its row is old, with a higher id.
    await recordAt(at(-20), 'late-old');
    await recordAt(at(200), 'new-2');
    const deleted = await new StatusHistoryRepository(dataSource).deleteOlderThan(cutoff, 2);
    expect(deleted).toBe(4);
    expect(await left()).toEqual(['new-1', 'new-2']);
  });

  it('deletes everything when nothing is recent, and nothing when nothing is old', async () => {
    const repository = new StatusHistoryRepository(dataSource);
    await record(9, 8, 7);
    expect(await repository.deleteOlderThan(new Date(Date.now() - 5 * DAY), 2)).toBe(3);
    await record(1, 0);
    expect(await repository.deleteOlderThan(new Date(Date.now() - 5 * DAY))).toBe(0);
    expect(await left()).toEqual(['age-1', 'age-0']);
  });

  it('collects with the configured retention', async () => {
    await record(15, 13, 1);
    const config = { events: { statusHistoryRetentionMs: 14 * DAY, retentionIntervalMs: 3_600_000 } } as HubConfig;
    expect(await new StatusHistoryRetention(new StatusHistoryRepository(dataSource), config).collect()).toBe(1);
    expect(await left()).toEqual(['age-13', 'age-1']);
  });
});
