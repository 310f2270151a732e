import { Module } from '@nestjs/common';
import { FleetSummaryService } from './fleet-summary.service.js';
import { FleetMetrics } from './fleet.metrics.js';
import { FleetResolver } from './fleet.resolver.js';

/** The fleet-wide summary people and dashboards start from, in the API and on /metrics. */
@Module({ providers: [FleetSummaryService, FleetResolver, FleetMetrics] })
export class FleetModule {}
