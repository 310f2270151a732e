import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import type { RolloutPlan } from '@flotilla/rollout';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { RolloutModel } from './dtos/rollout.model.js';
import { RolloutRepository, type RolloutRecord } from './rollout.repository.js';
import { planOf, RolloutService } from './rollout.service.js';

function toModel(record: RolloutRecord, plan: RolloutPlan | undefined): RolloutModel {
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
      return {
        name,
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

@Resolver(() => RolloutModel)
export class RolloutsResolver {
  constructor(
    private readonly repository: RolloutRepository,
    private readonly service: RolloutService,
  ) {}

  @Query(() => [RolloutModel], { description: 'Rollouts of a bundle, newest first.' })
  async rollouts(@Args('bundle') bundle: string, @Args('first', { type: () => Int, defaultValue: 20 }) first: number): Promise<RolloutModel[]> {
    if (first < 1 || first > 200) throw new InvalidInputException('first', 'must be from 1 to 200');
    const plans = new Map((await this.repository.bundlesWithRollouts()).map((b) => [b.id, planOf(b.rollout)]));
    return (await this.repository.listForBundle(bundle, first)).map((record) => toModel(record, plans.get(record.bundleId)));
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
    return this.rollouts(bundle, 1);
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
