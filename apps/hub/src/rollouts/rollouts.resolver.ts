import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import type { Principal } from '@flotilla/database';
import type { RolloutPlan } from '@flotilla/rollout';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { mapPage, PageArgs, pageSize, type Page } from '../graphql/pagination.js';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import { RolloutPageModel } from './dtos/rollout-page.model.js';
import { ROLLOUT_PHASES, selectRolloutPage } from './rollout-list.query.js';
import { RolloutModel } from './dtos/rollout.model.js';
import { RolloutRepository, type RolloutRecord } from './rollout.repository.js';
import { planOf, RolloutService } from './rollout.service.js';

/** The API model of a stored rollout; wave names from the bundle's plan when it is known. */
export function toModel(record: RolloutRecord, plan: RolloutPlan | undefined): RolloutModel {
  const clusters = Object.values(record.state.clusters);
  const names = plan?.waves.map((wave) => wave.name) ?? [...new Set(clusters.map((c) => String(c.wave)))];
  return {
    id: record.id,
    bundle: record.state.bundle,
    revision: record.revision,
    phase: record.phase,
    currentWave: names[record.state.wave] ?? null,
    reason: record.state.reason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    waves: names.map((name, index) => {
      const members = clusters.filter((c) => c.wave === index);
      const count = (...phases: string[]) => members.filter((c) => phases.includes(c.phase)).length;
      const state = record.state;
      return {
        name,
        rolloutId: record.id,
        index,
        progress: Object.entries(state.clusters).filter(([, c]) => c.wave === index),
        state: waveStateOf(state.phase, state.wave, index),
        admitted: members.filter((c) => c.phase !== 'Pending').length,
        total: members.length,
        approvalRequired: plan?.waves[index]?.approval ?? false,
        clusters: members.length,
        pending: count('Pending'),
        inProgress: count('Admitted'),
        done: count('Done'),
        failed: count('Failed'),
        rolledBack: count('RollingBack', 'RolledBack', 'RollbackFailed'),
      };
    }),
  };
}

function waveStateOf(phase: string, current: number, index: number): string {
  if (phase === 'Succeeded' || index < current) return 'Complete';
  if (index > current) return 'Pending';
  return phase;
}

@Resolver(() => RolloutModel)
export class RolloutsResolver {
  constructor(
    private readonly repository: RolloutRepository,
    private readonly service: RolloutService,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => RolloutPageModel, { description: 'A page of rollouts, newest first; of one bundle, or of all.' })
  async rollouts(
    @Args() page: PageArgs,
    @Args('bundle', { type: () => String, nullable: true, description: 'Only rollouts of bundles with this name.' }) bundle: string | null | undefined,
    @Args('state', { type: () => String, nullable: true, description: `Only rollouts in this phase: ${ROLLOUT_PHASES.join(', ')}.` }) state: string | null | undefined,
    @Context('loaders') loaders: RequestLoaders,
  ): Promise<Page<RolloutModel>> {
    const first = pageSize(page.first);
    if (bundle && bundle.length > 63) throw new InvalidInputException('bundle', 'must be a bundle name of at most 63 characters');
    if (state !== null && state !== undefined && !(ROLLOUT_PHASES as readonly string[]).includes(state)) {
      throw new InvalidInputException('state', `must be one of ${ROLLOUT_PHASES.join(', ')}, got "${state.slice(0, 40)}"`);
    }
    const records = await selectRolloutPage(this.dataSource, { bundle: bundle ?? undefined, state: state ?? undefined }, first, page.after);
    // Wave names come from each bundle's rollout section: one batched statement for the whole page.
    const specs = await loaders.rolloutSpecs.loadMany(records.nodes.map((record) => record.bundleId));
    const plans = new Map(records.nodes.map((record, i) => {
      const spec = specs[i];
      return [record.id, spec && !(spec instanceof Error) ? planOf(spec) : undefined] as const;
    }));
    return mapPage(records, (record) => toModel(record, plans.get(record.id)));
  }

  @Mutation(() => RolloutModel, { description: 'Approves a wave (before it is reached, too); the approval may expire.' })
  async approveRolloutWave(
    @Args('rolloutId', { type: () => ID }) rolloutId: string,
    @Args('wave') wave: string,
    @Args('expiresInMinutes', { type: () => Int, nullable: true }) expiresInMinutes: number | null,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RolloutModel> {
    const record = await this.existing(rolloutId);
    const plan = (await this.repository.bundlesWithRollouts()).find((b) => b.id === record.bundleId);
    if (plan && !planOf(plan.rollout).waves.some((w) => w.name === wave)) throw new InvalidInputException('wave', `rollout ${rolloutId} has no wave "${wave}"`);
    if (expiresInMinutes !== null && expiresInMinutes !== undefined && (expiresInMinutes < 1 || expiresInMinutes > 10_080)) {
      throw new InvalidInputException('expiresInMinutes', 'must be from 1 to 10080');
    }
    await this.repository.approve(rolloutId, wave, principal.name, expiresInMinutes ? new Date(Date.now() + expiresInMinutes * 60_000) : null);
    await this.service.tick();
    return toModel((await this.repository.get(rolloutId))!, plan ? planOf(plan.rollout) : undefined);
  }

  @Mutation(() => RolloutModel, { description: 'Stops admitting clusters; what is done stays.' })
  async pauseRollout(@Args('rolloutId', { type: () => ID }) rolloutId: string): Promise<RolloutModel> {
    return this.control(rolloutId, 'pause');
  }

  @Mutation(() => RolloutModel, { description: 'Resumes a paused rollout.' })
  async resumeRollout(@Args('rolloutId', { type: () => ID }) rolloutId: string): Promise<RolloutModel> {
    return this.control(rolloutId, 'resume');
  }

  @Mutation(() => RolloutModel, { description: 'Ends the rollout where it is; the bundle stays pinned until a newer commit or a retry.' })
  async abortRollout(@Args('rolloutId', { type: () => ID }) rolloutId: string): Promise<RolloutModel> {
    return this.control(rolloutId, 'abort');
  }

  @Mutation(() => [RolloutModel], { description: "Starts the bundle's current content again after a failed, rolled-back or aborted rollout." })
  async retryRollout(@Args('bundle') bundle: string): Promise<RolloutModel[]> {
    const target = (await this.repository.bundlesWithRollouts()).find((b) => b.name === bundle);
    if (!target) throw new InvalidInputException('bundle', `no bundle "${bundle}" has a rollout section`);
    try {
      await this.service.retry(target);
    } catch (error) {
      throw new InvalidInputException('bundle', (error as Error).message);
    }
    return (await selectRolloutPage(this.dataSource, { bundle }, 1, null)).nodes.map((record) => toModel(record, planOf(target.rollout)));
  }

  private async control(rolloutId: string, change: 'pause' | 'resume' | 'abort'): Promise<RolloutModel> {
    await this.existing(rolloutId);
    try {
      const record = await this.service.control(rolloutId, change);
      const plan = (await this.repository.bundlesWithRollouts()).find((b) => b.id === record.bundleId);
      return toModel(record, plan ? planOf(plan.rollout) : undefined);
    } catch (error) {
      throw new InvalidInputException('rolloutId', (error as Error).message);
    }
  }

  private async existing(rolloutId: string): Promise<RolloutRecord> {
    if (!/^\d{1,18}$/.test(rolloutId)) throw new InvalidInputException('rolloutId', 'must be a rollout id');
    const record = await this.repository.get(rolloutId);
    if (!record) throw new InvalidInputException('rolloutId', `no rollout has id ${rolloutId}`);
    return record;
  }
}
