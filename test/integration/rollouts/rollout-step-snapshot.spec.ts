import { dataSourceOptions, migrateUp } from '@flotilla/database';
import { MetricsRegistry } from '@flotilla/observability';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LastGoodContent } from '../../../apps/hub/src/rollouts/last-good-content.js';
import { RolloutMetrics } from '../../../apps/hub/src/rollouts/rollout.metrics.js';
import { RolloutRepository } from '../../../apps/hub/src/rollouts/rollout.repository.js';
import { RolloutService } from '../../../apps/hub/src/rollouts/rollout.service.js';
import { DesiredStateEvents } from '../../../apps/hub/src/target-state/desired-state-events.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { reportAsAgents } from '../../support/simulated-agents.js';

const SPEC = {
  rollout: {
    waves: [
      { name: 'canary', selector: { matchLabels: { canary: 'true' } }, maxConcurrent: 1, approval: false },
      { name: 'rest', maxConcurrent: 1, approval: false },
    ],
    bake: '1ms',
    progressDeadline: '10m',
    maxFailures: 0,
    onFailure: 'rollback',
  },
};

/**
 * A sync that commits new targets between the moment a rollout step reads the bundle and the
 * moment it reads the clusters, against real PostgreSQL (real migrations) and the real rollout
 * service. The step must not judge the new targets under the old content: under a finished
 * rollout they would count as targets moved within it and go everywhere at once, past the waves.
 */
describe('a rollout step racing a sync', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: RolloutService;
  let bundleId: string;
  /** Runs once, just before the step's next read of the clusters. */
  let beforeViews: (() => Promise<void>) | undefined;

  const desired = async (): Promise<Record<string, string | null>> =>
    Object.fromEntries(
      ((await dataSource.query(`SELECT c.name, d.desired_hash FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id ORDER BY c.name`)) as { name: string; desired_hash: string | null }[]).map(
        (row) => [row.name, row.desired_hash],
      ),
    );
  const rollouts = async (): Promise<{ revision: string; phase: string }[]> => dataSource.query(`SELECT revision, phase FROM rollouts ORDER BY id`);
  /** The sync of a new commit: the bundle's targets digest and every cluster's target, in one transaction. */
  const sync = (revision: string, hash: string): Promise<void> =>
    dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE bundles SET targets_digest = $2, targets_revision = $2 WHERE id = $1`, [bundleId, revision]);
      await manager.query(`UPDATE bundle_deployments SET target_hash = $2, target_revision = $3 WHERE bundle_id = $1`, [bundleId, hash, revision]);
    });

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    await migrateUp(dataSource);
    const [source] = await dataSource.query(`INSERT INTO sources (id, name, url, ref, webhook_secret) VALUES (gen_random_uuid(), 's', 'file:///x', 'main', '\\x00') RETURNING id`);
    bundleId = (
      await dataSource.query(
        `INSERT INTO bundles (source_id, name, path, good_spec, targets_spec, targets_digest, targets_revision) VALUES ($1, 'web', 'web', $2, $2, 'r1', 'r1') RETURNING id::text AS id`,
        [source.id, JSON.stringify(SPEC)],
      )
    )[0].id;
    for (const [name, labels] of [['c0', { canary: 'true' }], ['c1', {}], ['c2', {}]] as const) {
      const [cluster] = await dataSource.query(`INSERT INTO clusters (name, labels) VALUES ($1, $2) RETURNING id`, [name, JSON.stringify(labels)]);
      await dataSource.query(`INSERT INTO cluster_connections (cluster_id, state) VALUES ($1, 'Connected')`, [cluster.id]);
      await dataSource.query(`INSERT INTO bundle_deployments (bundle_id, cluster_id, target_hash, target_revision) VALUES ($1, $2, 'h1', 'r1')`, [bundleId, cluster.id]);
    }

    class RacedRolloutRepository extends RolloutRepository {
      override async views(id: string, digest: string): ReturnType<RolloutRepository['views']> {
        const hook = beforeViews;
        beforeViews = undefined;
        await hook?.();
        return super.views(id, digest);
      }
    }
    // Only a pinned bundle (a failed rollout) asks for last good content; no rollout here fails.
    const lastGood = {} as LastGoodContent;
    service = new RolloutService(new RacedRolloutRepository(dataSource), dataSource, new DesiredStateEvents(), lastGood, new RolloutMetrics(new MetricsRegistry('hub', 'test'), dataSource));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('leaves the new targets to the next step, which starts a rollout of them wave by wave', async () => {
    for (let step = 0; step < 20 && (await rollouts())[0]?.phase !== 'Succeeded'; step++) {
      await service.tick();
      await reportAsAgents((sql, parameters) => dataSource.query(sql, parameters));
    }
    expect(await rollouts()).toEqual([{ revision: 'r1', phase: 'Succeeded' }]);
    expect(await desired()).toEqual({ c0: 'h1', c1: 'h1', c2: 'h1' });

    beforeViews = () => sync('r2', 'h2');
    await service.tick();
    expect(await desired()).toEqual({ c0: 'h1', c1: 'h1', c2: 'h1' });
    expect(await rollouts()).toEqual([{ revision: 'r1', phase: 'Succeeded' }]);

    await service.tick();
    expect(await rollouts()).toEqual([
      { revision: 'r1', phase: 'Succeeded' },
      { revision: 'r2', phase: 'Progressing' },
    ]);
    expect(await desired()).toEqual({ c0: 'h2', c1: 'h1', c2: 'h1' });
  });
});
