import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@flotilla/observability';
import { Gauge } from 'prom-client';
import type { CountByModel } from './dtos/fleet-summary.model.js';
import { FleetSummaryService } from './fleet-summary.service.js';

/**
 * The fleet as Prometheus sees it, from the same summary the API serves (counted in the database, at most 1.5 s
 * old, one count shared by concurrent scrapes): the whole fleet, not what this hub process happens to hold.
 */
@Injectable()
export class FleetMetrics {
  constructor(metrics: MetricsRegistry, summaries: FleetSummaryService) {
    const registers = [metrics.registry];
    const byValue = (gauge: Gauge<string>, label: string, counts: readonly CountByModel[]): void => {
      gauge.reset();
      for (const { value, count } of counts) gauge.set({ [label]: value }, count);
    };
    new Gauge({
      name: 'flotilla_clusters',
      help: 'Registered clusters by agent connection state (Connected, Disconnected).',
      labelNames: ['state'],
      registers,
      async collect() {
        byValue(this, 'state', (await summaries.summary()).clustersByConnection);
      },
    });
    new Gauge({
      name: 'flotilla_bundle_deployments',
      help: 'Bundle deployments by the health their agent last reported (NONE: no report yet).',
      labelNames: ['health'],
      registers,
      async collect() {
        byValue(this, 'health', (await summaries.summary()).bundleDeploymentsByHealth);
      },
    });
    new Gauge({
      name: 'flotilla_bundle_deployments_by_phase',
      help: 'Bundle deployments by the phase their agent last reported (NONE: no report yet).',
      labelNames: ['phase'],
      registers,
      async collect() {
        byValue(this, 'phase', (await summaries.summary()).bundleDeploymentsByPhase);
      },
    });
    new Gauge({
      name: 'flotilla_bundle_deployments_drifted',
      help: 'Bundle deployments whose agent reports declared fields differing from the live objects.',
      registers,
      async collect() {
        this.set((await summaries.summary()).drifted);
      },
    });
  }
}
