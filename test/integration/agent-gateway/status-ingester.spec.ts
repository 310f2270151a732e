import { Change, Health, Phase, type BundleStatus, type ResourceStatus } from '@flotilla/protocol';
import { dataSourceOptions, migrateUp } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { MAX_HISTORY_PER_KEY, STATUS_BACKLOG_LIMIT, StatusIngester } from '../../../apps/hub/src/agent-gateway/status-ingester.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/** The status ingester against real PostgreSQL (real migrations): group commit, history, and batches nobody can poison. */
describe('StatusIngester', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let ingester: StatusIngester;
  let bundleId: string;
  const clusters: string[] = [];

  const status = (clusterId: string, seq: bigint, health: Health, extra: Partial<BundleStatus> = {}) => ({
    bundleId,
    clusterId,
    stream: 1n,
    seq,
    status: {
      bundle: 'web',
      generation: 10n,
      phase: Phase.PHASE_APPLIED,
      health,
      terminal: false,
      drift: undefined,
      resources: [],
      reason: '',
      observedAtUnixMs: BigInt(Date.now()),
      ...extra,
    },
  });
  /** The stored latest state and history count of each cluster, by cluster id. */
  const rows = async (): Promise<Record<string, { health: string; seq: string; history: number }>> => {
    const found: { cluster_id: string; health: string; seq: string; history: number }[] = await dataSource.query(
      `SELECT s.cluster_id, s.health, s.seq::text AS seq, (SELECT count(*)::int FROM bundle_status_history h WHERE h.cluster_id = s.cluster_id) AS history
         FROM bundle_statuses s`,
    );
    return Object.fromEntries(found.map(({ cluster_id, ...rest }) => [cluster_id, rest]));
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    await migrateUp(dataSource);
    const [source] = await dataSource.query(`INSERT INTO sources (id, name, url, ref, webhook_secret) VALUES (gen_random_uuid(), 's', 'file:///x', 'main', '\\x00') RETURNING id`);
    const [bundle] = await dataSource.query(`INSERT INTO bundles (source_id, name, path) VALUES ($1, 'web', 'web') RETURNING id::text AS id`, [source.id]);
    bundleId = bundle.id;
    for (const name of ['c-1', 'c-2', 'c-3']) clusters.push((await dataSource.query(`INSERT INTO clusters (name) VALUES ($1) RETURNING id::text AS id`, [name]))[0].id);
    ingester = new StatusIngester(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('keeps the newest status per deployment, writes a history row per change (also two in one batch), and never lets a stale one win', async () => {
    const [a, b] = clusters as [string, string];
    ingester.status(status(a, 1n, Health.HEALTH_PROGRESSING));
    ingester.status(status(a, 2n, Health.HEALTH_HEALTHY));
    ingester.status(status(b, 1n, Health.HEALTH_HEALTHY));
    await ingester.flush();
    expect(await rows()).toEqual({ [a]: { health: 'HEALTHY', seq: '2', history: 2 }, [b]: { health: 'HEALTHY', seq: '1', history: 1 } });
    const history = await dataSource.query(`SELECT health FROM bundle_status_history WHERE cluster_id = $1 ORDER BY id`, [a]);
    expect(history).toEqual([{ health: 'PROGRESSING' }, { health: 'HEALTHY' }]);
    ingester.status(status(a, 1n, Health.HEALTH_DEGRADED)); // stale: an older sequence number of the same stream
    ingester.status(status(b, 2n, Health.HEALTH_HEALTHY)); // newer, but no change: no history row
    await ingester.flush();
    expect(await rows()).toEqual({ [a]: { health: 'HEALTHY', seq: '2', history: 2 }, [b]: { health: 'HEALTHY', seq: '2', history: 1 } });
    expect(ingester.committedHistory).toBe(3);
  });

  it('gives a stale status no history, also when a newer one shares its batch', async () => {
    const [a] = clusters as [string];
    const historyBefore = ingester.committedHistory;
    ingester.status(status(a, 5n, Health.HEALTH_DEGRADED, { generation: 9n })); // an older generation than stored
    ingester.status(status(a, 6n, Health.HEALTH_PROGRESSING)); // newer than stored, and a change
    await ingester.flush();
    const history = await dataSource.query(`SELECT generation::text AS g, health FROM bundle_status_history WHERE cluster_id = $1 ORDER BY id`, [a]);
    expect(history).toEqual([
      { g: '10', health: 'PROGRESSING' },
      { g: '10', health: 'HEALTHY' },
      { g: '10', health: 'PROGRESSING' },
    ]);
    expect(ingester.committedHistory - historyBefore).toBe(1);
  });

  it('commits everyone else’s statuses when a cluster was deleted while its status waited, or an agent sent garbage', async () => {
    const [, b, c] = clusters as [string, string, string];
    ingester.status(status(b, 3n, Health.HEALTH_DEGRADED, { reason: 'nul \0 here', generation: 2n ** 64n - 1n }));
    ingester.status(status(c, 1n, Health.HEALTH_HEALTHY));
    await dataSource.query(`DELETE FROM clusters WHERE id = $1`, [c]);
    await ingester.flush();
    const [row] = await dataSource.query(`SELECT health, reason, generation::text AS g FROM bundle_statuses WHERE cluster_id = $1`, [b]);
    expect(row).toEqual({ health: 'DEGRADED', reason: 'nul \uFFFD here', g: (2n ** 63n - 1n).toString() });
    expect(await dataSource.query(`SELECT 1 FROM bundle_statuses WHERE cluster_id = $1`, [c])).toEqual([]);
  });

  it('drops only the rows the database refuses, names them, and writes everyone else’s at once', async () => {
    const ids: string[] = (await dataSource.query(`INSERT INTO clusters (name) SELECT 'poison-' || n FROM generate_series(1, 5) AS n RETURNING id::text AS id`)).map((row: { id: string }) => row.id);
    const isolated = new StatusIngester(dataSource);
    // Nothing an agent sends reaches the database as a bad uuid today; a row like it, from any cause, must not stall ingestion.
    const poison = 'not-a-uuid';
    for (const [i, id] of [...ids.slice(0, 2), poison, ...ids.slice(2)].entries()) {
      isolated.status(status(id, 1n, Health.HEALTH_DEGRADED, { reason: `row ${i}` }));
      isolated.ack({ bundleId, clusterId: id, generation: 10n });
    }
    await isolated.flush();
    const stored: { cluster_id: string; acked: string; reason: string }[] = await dataSource.query(
      `SELECT cluster_id::text, acked_generation::text AS acked, reason FROM bundle_statuses WHERE cluster_id = ANY($1::uuid[]) ORDER BY reason`,
      [ids],
    );
    expect(stored).toEqual(ids.map((id, i) => ({ cluster_id: id, acked: '10', reason: `row ${i < 2 ? i : i + 1}` })));
    expect(isolated.droppedRows).toBe(2); // the poisoned status and the poisoned ack
    expect(isolated.committedStatuses).toBe(5);

    // Nothing was kept for a retry: the next write carries only what arrives next.
    isolated.status(status(ids[0]!, 2n, Health.HEALTH_HEALTHY));
    await isolated.flush();
    expect((await rows())[ids[0]!]).toMatchObject({ health: 'HEALTHY', seq: '2' });
    expect(isolated.droppedRows).toBe(2);
  });

  it('deletes a deployment’s history with its cluster or its bundle, and nobody else’s', async () => {
    const historyOf = async (column: 'cluster_id' | 'bundle_id', id: string): Promise<number> =>
      (await dataSource.query(`SELECT count(*)::int AS n FROM bundle_status_history WHERE ${column} = $1`, [id]))[0].n;
    const [source] = await dataSource.query(`SELECT source_id AS id FROM bundles WHERE id = $1`, [bundleId]);
    const other = (await dataSource.query(`INSERT INTO bundles (source_id, name, path) VALUES ($1, 'api', 'api') RETURNING id::text AS id`, [source.id]))[0].id as string;
    const [gone, kept] = [
      (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-gone') RETURNING id::text AS id`))[0].id as string,
      (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-kept') RETURNING id::text AS id`))[0].id as string,
    ];
    for (const clusterId of [gone, kept]) {
      ingester.status(status(clusterId, 1n, Health.HEALTH_PROGRESSING));
      ingester.status({ ...status(clusterId, 1n, Health.HEALTH_PROGRESSING), bundleId: other });
    }
    await ingester.flush();
    expect([await historyOf('cluster_id', gone), await historyOf('cluster_id', kept), await historyOf('bundle_id', other)]).toEqual([2, 2, 2]);

    await dataSource.query(`DELETE FROM clusters WHERE id = $1`, [gone]);
    expect([await historyOf('cluster_id', gone), await historyOf('cluster_id', kept), await historyOf('bundle_id', other)]).toEqual([0, 2, 1]);
    await dataSource.query(`DELETE FROM bundles WHERE id = $1`, [other]);
    expect([await historyOf('bundle_id', other), await historyOf('cluster_id', kept)]).toEqual([0, 1]);
  });

  it('writes what arrives during a write once that write ends (group commit)', async () => {
    const fresh = (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-4') RETURNING id::text AS id`))[0].id as string;
    for (let seq = 1n; seq <= 50n; seq++) ingester.status(status(fresh, seq, seq % 2n === 0n ? Health.HEALTH_HEALTHY : Health.HEALTH_PROGRESSING));
    const writing = ingester.flush();
    ingester.status(status(fresh, 51n, Health.HEALTH_DEGRADED));
    await writing;
    const deadline = Date.now() + 5_000;
    let health = '';
    while (health !== 'DEGRADED' && Date.now() < deadline) {
      health = ((await dataSource.query(`SELECT health FROM bundle_statuses WHERE cluster_id = $1`, [fresh]))[0] as { health: string }).health;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(health).toBe('DEGRADED');
  });
  it('stores each deployment its own resources (multi-byte text included), and rewrites them only when they change', async () => {
    const resource = (name: string, message = ''): ResourceStatus => ({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'ns', name, change: Change.CHANGE_UNCHANGED, health: Health.HEALTH_HEALTHY, message, drift: [] });
    const [d, e] = [
      (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-5') RETURNING id::text AS id`))[0].id as string,
      (await dataSource.query(`INSERT INTO clusters (name) VALUES ('c-6') RETURNING id::text AS id`))[0].id as string,
    ];
    const stored = async (clusterId: string): Promise<unknown> => (await dataSource.query(`SELECT resources FROM bundle_statuses WHERE cluster_id = $1`, [clusterId]))[0].resources;
    ingester.status(status(d, 1n, Health.HEALTH_PROGRESSING, { resources: [resource('zürich-€', 'naïve ✓')] }));
    ingester.status(status(e, 1n, Health.HEALTH_PROGRESSING, { resources: [resource('e-1'), resource('e-2')] }));
    await ingester.flush();
    expect(await stored(d)).toEqual([expect.objectContaining({ name: 'zürich-€', message: 'naïve ✓', change: 'UNCHANGED', health: 'HEALTHY' })]);
    expect((await stored(e)) as unknown[]).toHaveLength(2);

    // Same resources, new health: the stored value stays as it is (marked here to see that it was not rewritten).
    await dataSource.query(`UPDATE bundle_statuses SET resources = '["kept"]' WHERE cluster_id = $1`, [d]);
    ingester.status(status(d, 2n, Health.HEALTH_HEALTHY, { resources: [resource('zürich-€', 'naïve ✓')] }));
    // Changed resources, twice in one batch: the newest is stored.
    ingester.status(status(e, 2n, Health.HEALTH_HEALTHY, { resources: [resource('e-1', 'first')] }));
    ingester.status(status(e, 3n, Health.HEALTH_DEGRADED, { resources: [resource('e-1', 'second')] }));
    await ingester.flush();
    expect(await stored(d)).toEqual(['kept']);
    expect(await stored(e)).toEqual([expect.objectContaining({ name: 'e-1', message: 'second' })]);
    const [row] = await dataSource.query(`SELECT health, seq::text AS seq FROM bundle_statuses WHERE cluster_id = $1`, [d]);
    expect(row).toEqual({ health: 'HEALTHY', seq: '2' });

    // A stale status with other resources changes nothing.
    ingester.status(status(e, 1n, Health.HEALTH_HEALTHY, { resources: [] }));
    await ingester.flush();
    expect(await stored(e)).toEqual([expect.objectContaining({ message: 'second' })]);
  });

  it('is backlogged once a write’s worth of statuses waits (each deployment counting its newest 64), and relieved when they are taken into a write', async () => {
    // Deployments of clusters that do not exist: the write drops them, which is all this test needs of it.
    const flapping = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    let deployments = 0;
    while (!ingester.backlogged && deployments < 1_000) {
      for (let seq = 1n; seq <= 100n; seq++) ingester.status(status(flapping(deployments), seq, seq % 2n === 0n ? Health.HEALTH_HEALTHY : Health.HEALTH_PROGRESSING));
      deployments++;
    }
    expect(deployments).toBe(Math.ceil(STATUS_BACKLOG_LIMIT / MAX_HISTORY_PER_KEY));
    const relieved: string[] = [];
    ingester.whenRelieved(() => relieved.push('first'));
    ingester.whenRelieved(() => relieved.push('second'));
    expect(relieved).toEqual([]);
    const writing = ingester.flush();
    expect(relieved).toEqual(['first', 'second']);
    expect(ingester.backlogged).toBe(false);
    await writing;
    ingester.status(status(flapping(0), 101n, Health.HEALTH_DEGRADED));
    await ingester.flush();
    expect(relieved).toHaveLength(2); // once each, not at every write
  });

  it('writes a large backlog as several statements of at most 10,000 statuses, losing none', async () => {
    const ids: string[] = (await dataSource.query(`INSERT INTO clusters (name) SELECT 'bulk-' || n FROM generate_series(1, 200) AS n RETURNING id::text AS id`)).map((row: { id: string }) => row.id);
    const statements: number[] = [];
    const counting = {
      query: (sql: string, parameters?: unknown[]) => {
        if (sql.includes('bundle_status_history')) statements.push((parameters?.[15] as string).split(',').length);
        return dataSource.query(sql, parameters);
      },
    } as unknown as DataSource;
    const bulk = new StatusIngester(counting);
    for (const id of ids) for (let seq = 1n; seq <= 64n; seq++) bulk.status(status(id, seq, seq % 2n === 0n ? Health.HEALTH_HEALTHY : Health.HEALTH_PROGRESSING));
    await bulk.flush();
    expect(statements.reduce((a, b) => a + b, 0)).toBe(200 * 64);
    expect(statements.length).toBe(2);
    expect(Math.max(...statements)).toBeLessThanOrEqual(10_000);
    expect(bulk.committedHistory).toBe(200 * 64);
    expect(bulk.committedStatuses).toBe(200);
  });
});
