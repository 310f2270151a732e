import { Module } from '@nestjs/common';
import { FleetSummaryService } from './fleet-summary.service.js';
import { FleetResolver } from './fleet.resolver.js';

/** The fleet-wide summary people and dashboards start from. */
@Module({ providers: [FleetSummaryService, FleetResolver] })
export class FleetModule {}
