import { Module } from '@nestjs/common';
import { TargetStateModule } from '../target-state/target-state.module.js';
import { RolloutRepository } from './rollout.repository.js';
import { RolloutService } from './rollout.service.js';
import { RolloutsResolver } from './rollouts.resolver.js';

/** Progressive rollouts: the engine of @flotilla/rollout, persisted and driven by the hub. */
@Module({
  imports: [TargetStateModule],
  providers: [RolloutRepository, RolloutService, RolloutsResolver],
  exports: [RolloutService],
})
export class RolloutsModule {}
