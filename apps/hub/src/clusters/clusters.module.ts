import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterEvents } from './cluster-events.js';
import { ClusterListRepository } from './cluster-list.repository.js';
import { ClusterEntity } from './cluster.entity.js';
import { ClusterService } from './cluster.service.js';
import { ClustersResolver } from './clusters.resolver.js';

@Module({
  imports: [TypeOrmModule.forFeature([ClusterEntity])],
  providers: [ClusterService, ClusterEvents, ClusterListRepository, ClustersResolver],
  exports: [ClusterService, ClusterEvents],
})
export class ClustersModule {}
