import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@flotilla/observability';
import { Gauge } from 'prom-client';
import { EventBus } from './event-bus.js';
import { EventListener } from './event-listener.service.js';

/** `flotilla_event_*`: live subscribers in this process and how often the LISTEN connection was (re)established. */
@Injectable()
export class EventMetrics {
  constructor(metrics: MetricsRegistry, bus: EventBus, listener: EventListener) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'flotilla_event_subscribers',
      help: 'Live subscription operations fed by this hub process.',
      registers,
      collect() {
        this.set(bus.size);
      },
    });
    new Gauge({
      name: 'flotilla_event_listener_connections',
      help: 'Times this hub process established its LISTEN connection (1 + reconnects).',
      registers,
      collect() {
        this.set(listener.connectionCount);
      },
    });
  }
}
