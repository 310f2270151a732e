import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RevisionEntity } from './revision.entity.js';
import { RevisionEvents } from './revision-events.js';
import { SourceEntity } from './source.entity.js';
import { SourceGit } from './source-git.adapter.js';
import { SourcePoller } from './source-poller.service.js';
import { SourceRepository } from './source.repository.js';
import { SourceSecrets } from './source-secrets.service.js';
import { SourceService } from './source.service.js';
import { SourceSnapshots } from './source-snapshots.service.js';
import { SourceSyncService } from './source-sync.service.js';
import { SourceWebhookController } from './source-webhook.controller.js';
import { SourcesResolver } from './sources.resolver.js';

/** Git sources: the repositories the hub mirrors, their revisions, polling and push webhooks. */
@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity, RevisionEntity])],
  controllers: [SourceWebhookController],
  providers: [SourceRepository, SourceSecrets, SourceGit, RevisionEvents, SourceSyncService, SourceService, SourcePoller, SourcesResolver, SourceSnapshots],
  exports: [RevisionEvents, SourceService, SourceSnapshots],
})
export class SourcesModule {}
