import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry: the standard process and Node.js metrics under their usual
 * names, and every Flotilla metric under `flotilla_`.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(component: string, version: string) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'flotilla_build_info',
      help: 'Always 1; labels carry the component and version.',
      labelNames: ['component', 'version'],
      registers: [this.registry],
    }).set({ component, version }, 1);
    this.httpRequests = new Counter({
      name: 'flotilla_http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'flotilla_http_request_duration_seconds',
      help: 'HTTP request latency by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  counter<L extends string>(name: `flotilla_${string}`, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: `flotilla_${string}`, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
