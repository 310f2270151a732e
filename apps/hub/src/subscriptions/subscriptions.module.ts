import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { SubscriptionAuth } from './subscription-auth.service.js';
import { SubscriptionsResolver } from './subscriptions.resolver.js';

/** GraphQL subscriptions over graphql-ws: connection authentication and the live feeds. */
@Module({
  imports: [EventsModule],
  providers: [SubscriptionAuth, SubscriptionsResolver],
  exports: [SubscriptionAuth],
})
export class SubscriptionsModule {}
