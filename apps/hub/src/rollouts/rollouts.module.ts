import { Module } from '@nestjs/common';
import { TargetStateModule } from '../target-state/target-state.module.js';
import { BundleSuspensionsResolver } from './bundle-suspensions.resolver.js';
import { BundleSuspensionsService } from './bundle-suspensions.service.js';
import { LastGoodContent } from './last-good-content.js';
import { RolloutDetailResolver, RolloutWaveResolver } from './rollout-detail.resolver.js';
import { RolloutMetrics } from './rollout.metrics.js';
import { RolloutRepository } from './rollout.repository.js';
import { RolloutService } from './rollout.service.js';
import { RolloutsResolver } from './rollouts.resolver.js';

/** Progressive rollouts: the engine of @flotilla/rollout, persisted and driven by the hub. */
@Module({
  imports: [TargetStateModule],
  providers: [
    RolloutRepository,
    RolloutService,
    RolloutMetrics,
    LastGoodContent,
    BundleSuspensionsService,
    RolloutsResolver,
    RolloutDetailResolver,
    RolloutWaveResolver,
    BundleSuspensionsResolver,
  ],
  exports: [RolloutService],
})
export class RolloutsModule {}
