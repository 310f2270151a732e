import { Query, Resolver } from '@nestjs/graphql';
import { FLOTILLA_VERSION } from '@flotilla/observability';
import { DatabaseReadiness } from '../database/database.readiness.js';
import { HubHealthModel } from './dtos/hub-health.model.js';

@Resolver()
export class SystemResolver {
  constructor(private readonly database: DatabaseReadiness) {}

  @Query(() => String, { description: 'The version of this hub.' })
  version(): string {
    return FLOTILLA_VERSION;
  }

  @Query(() => HubHealthModel, { description: 'Health of this hub and its database.' })
  async health(): Promise<HubHealthModel> {
    const database = await this.database.check().then(
      () => 'ok',
      (error: Error) => error.message,
    );
    return { status: database === 'ok' ? 'ok' : 'degraded', database, uptimeSeconds: Math.round(process.uptime()) };
  }
}
