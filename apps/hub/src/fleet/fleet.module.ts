import { Module } from '@nestjs/common';
import { FleetResolver } from './fleet.resolver.js';

/** The fleet-wide summary people and dashboards start from. */
@Module({ providers: [FleetResolver] })
export class FleetModule {}
