import { Args, Context, GraphQLISODateTime, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import type { RequestLoaders } from '../graphql/request-loaders.js';
import { RolloutClusterProgressModel, RolloutModel, RolloutWaveModel } from './dtos/rollout.model.js';
import { RolloutException, RolloutExceptionCode } from './rollout.exception.js';
import { RolloutRepository, type RolloutRecord } from './rollout.repository.js';
import { planOf, RolloutService } from './rollout.service.js';
import { toModel } from './rollouts.resolver.js';

/** One rollout in detail, and the manual rollback. */
@Resolver(() => RolloutModel)
export class RolloutDetailResolver {
  constructor(
    private readonly repository: RolloutRepository,
    private readonly service: RolloutService,
  ) {}

  @Query(() => RolloutModel, { description: 'One rollout, with its waves and the progress of every cluster.' })
  async rollout(@Args('id', { type: () => ID }) id: string): Promise<RolloutModel> {
    return this.modelOf(await this.existing(id));
  }

  @Mutation(() => RolloutModel, {
    description:
      'Rolls a rollout back by hand: every touched cluster gets a new generation with its previous content, at once; the bundle then stays pinned until a newer commit or a retry. Allowed while it runs, and on the newest rollout of a bundle once it succeeded.',
  })
  async rollbackRollout(@Args('rolloutId', { type: () => ID }) rolloutId: string, @CurrentPrincipal() principal: Principal): Promise<RolloutModel> {
    await this.existing(rolloutId);
    return this.modelOf(await this.service.rollback(rolloutId, principal.name));
  }

  private async modelOf(record: RolloutRecord): Promise<RolloutModel> {
    const bundle = await this.repository.bundleSpec(record.bundleId);
    return toModel(record, bundle ? planOf(bundle) : undefined);
  }

  private async existing(id: string): Promise<RolloutRecord> {
    if (!/^\d{1,18}$/.test(id)) throw new InvalidInputException('id', `must be a rollout id (digits), got "${id.slice(0, 40)}"`);
    const record = await this.repository.get(id);
    if (!record) throw new RolloutException(RolloutExceptionCode.NotFound, `no rollout has id ${id}`);
    return record;
  }
}

/** The fields of a wave that need the database, through the request's loaders: one statement per field over every wave of a page. */
@Resolver(() => RolloutWaveModel)
export class RolloutWaveResolver {
  @ResolveField(() => Boolean, { description: 'An unexpired approval is on record for the wave.' })
  async approved(@Parent() wave: RolloutWaveModel, @Context('loaders') loaders: RequestLoaders): Promise<boolean> {
    return (await loaders.rolloutApprovals.load(wave.rolloutId)).get(wave.name)?.valid ?? false;
  }

  @ResolveField(() => GraphQLISODateTime, { nullable: true, description: 'When the approval of the wave expires (or expired); null when it has none or it never expires.' })
  async approvedUntil(@Parent() wave: RolloutWaveModel, @Context('loaders') loaders: RequestLoaders): Promise<Date | null> {
    return (await loaders.rolloutApprovals.load(wave.rolloutId)).get(wave.name)?.expiresAt ?? null;
  }

  @ResolveField(() => String, { nullable: true, description: 'Who approved the wave; null when nobody has.' })
  async approvedBy(@Parent() wave: RolloutWaveModel, @Context('loaders') loaders: RequestLoaders): Promise<string | null> {
    return (await loaders.rolloutApprovals.load(wave.rolloutId)).get(wave.name)?.by ?? null;
  }

  @ResolveField(() => [RolloutClusterProgressModel], { description: 'Every cluster of the wave with its state, generation, reason and since when.' })
  async members(@Parent() wave: RolloutWaveModel, @Context('loaders') loaders: RequestLoaders): Promise<RolloutClusterProgressModel[]> {
    const clusters = await loaders.clusters.loadMany(wave.progress.map(([id]) => id));
    return wave.progress.map(([clusterId, progress], i) => {
      const row = clusters[i];
      return {
        clusterId,
        // A cluster deleted since it took part is shown by its id.
        cluster: row && !(row instanceof Error) ? row.name : clusterId,
        state: progress.phase,
        generation: (progress.phase === 'RollingBack' || progress.phase === 'RolledBack' || progress.phase === 'RollbackFailed' ? progress.rollbackGeneration : progress.generation) ?? null,
        reason: progress.failure ?? null,
        since: progress.since !== undefined ? new Date(progress.since) : null,
        previousHash: progress.previousHash,
        targetHash: progress.targetHash,
      };
    });
  }
}
