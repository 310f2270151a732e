import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhooksResolver } from './webhooks.resolver.js';
import { WebhooksService } from './webhooks.service.js';

/** Outgoing webhooks: configured through GraphQL, queued by the events trigger, sent signed with retries. */
@Module({
  imports: [EventsModule],
  providers: [WebhookRepository, WebhooksService, WebhookDispatcher, WebhooksResolver],
})
export class NotificationsModule {}
