import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { BundleCatalog } from '../target-state/bundle-catalog.service.js';
import { BundleModel } from './dtos/bundle.model.js';

@Resolver(() => BundleModel)
export class BundlesResolver {
  constructor(private readonly catalog: BundleCatalog) {}

  @Query(() => [BundleModel], { description: 'The bundles of a source, with their errors.' })
  async bundles(@Args('sourceId', { type: () => ID }) sourceId: string): Promise<BundleModel[]> {
    return (await this.catalog.bundlesOf(sourceId)).map((bundle) => ({
      id: bundle.id,
      sourceId: bundle.sourceId,
      name: bundle.name,
      path: bundle.path,
      goodRevision: bundle.goodRevision,
      spec: bundle.goodSpec,
      error: bundle.error,
      errorRevision: bundle.errorRevision,
      removed: bundle.removedAt !== null,
      updatedAt: bundle.updatedAt,
    }));
  }
}
