import { Query, Resolver } from '@nestjs/graphql';
import { FleetSummaryModel } from './dtos/fleet-summary.model.js';
import { FleetSummaryService } from './fleet-summary.service.js';

@Resolver(() => FleetSummaryModel)
export class FleetResolver {
  constructor(private readonly summaries: FleetSummaryService) {}

  @Query(() => FleetSummaryModel, { description: 'Clusters, bundle deployments, rollouts, approvals and sources, counted in the database; at most 1.5 s old.' })
  async fleet(): Promise<FleetSummaryModel> {
    return this.summaries.summary();
  }
}
