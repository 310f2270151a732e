import { type DynamicModule, Module } from '@nestjs/common';
import { FLOTILLA_VERSION, ObservabilityModule } from '@flotilla/observability';

/**
 * The agent's Nest shell: configuration, probes and metrics. The reconciling core is a plain
 * class beside it (design.md §6) and plugs in here with the hub connection.
 */
@Module({})
export class AgentModule {
  static forRoot(): DynamicModule {
    return {
      module: AgentModule,
      imports: [ObservabilityModule.forRoot({ component: 'agent', version: FLOTILLA_VERSION, readinessChecks: [] })],
    };
  }
}
