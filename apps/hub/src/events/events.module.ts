import { Module } from '@nestjs/common';
import { EventBus } from './event-bus.js';
import { EventListener } from './event-listener.service.js';
import { EventRetention } from './event-retention.service.js';
import { EventMetrics } from './event.metrics.js';
import { EventRepository } from './event.repository.js';
import { EventsResolver } from './events.resolver.js';

/**
 * The event timeline (written by database triggers, see the events migration), its query, its
 * retention, and the one LISTEN connection that feeds live subscribers in this process.
 */
@Module({
  providers: [EventRepository, EventBus, EventListener, EventRetention, EventMetrics, EventsResolver],
  exports: [EventRepository, EventBus, EventListener, EventRetention],
})
export class EventsModule {}
