import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BundleDeploymentEntity } from '../bundle-deployments/bundle-deployment.entity.js';
import { RenderedContentStore } from '../bundle-deployments/rendered-content.store.js';
import { BundleEntity } from '../bundles/bundle.entity.js';
import { ClusterEntity } from '../clusters/cluster.entity.js';
import { ClustersModule } from '../clusters/clusters.module.js';
import { SourcesModule } from '../sources/sources.module.js';
import { ApprovalsResolver } from './approvals.resolver.js';
import { ApprovalsService } from './approvals.service.js';
import { BundleDeploymentsResolver } from '../bundle-deployments/bundle-deployments.resolver.js';
import { PreviewService } from '../bundle-deployments/preview.service.js';
import { BundlesResolver } from '../bundles/bundles.resolver.js';
import { BundleCatalog } from './bundle-catalog.service.js';
import { DesiredStateEvents } from './desired-state-events.js';
import { RenderPoolProvider } from './render-pool.provider.js';
import { TargetStateService } from './target-state.service.js';
import { TargetStateWriter } from './target-state.writer.js';

/** From fetched revisions and cluster changes to the target and desired state of every BundleDeployment. */
@Module({
  imports: [TypeOrmModule.forFeature([BundleEntity, BundleDeploymentEntity, ClusterEntity]), SourcesModule, ClustersModule],
  providers: [
    BundleCatalog,
    TargetStateWriter,
    RenderedContentStore,
    ApprovalsService,
    TargetStateService,
    DesiredStateEvents,
    PreviewService,
    ApprovalsResolver,
    BundlesResolver,
    BundleDeploymentsResolver,
    { provide: RenderPoolProvider, useFactory: () => new RenderPoolProvider() },
  ],
  exports: [TargetStateService, BundleCatalog, RenderedContentStore, ApprovalsService, DesiredStateEvents, RenderPoolProvider],
})
export class TargetStateModule {}
