import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { FLOTILLA_VERSION, MetricsRegistry, ObservabilityModule, type ReadinessCheck } from '@flotilla/observability';
import type { AgentMetricsRecorder } from './metrics/agent-metrics.recorder.js';

/** Ready once the agent runs; it keeps reconciling without the hub, so the hub is not a readiness condition. */
@Injectable()
class AgentReadiness implements ReadinessCheck {
  readonly name = 'agent';

  async check(): Promise<void> {}
}

/** Puts the agent's own metrics (recorded since start-up) into the process registry that /metrics serves. */
@Injectable()
class AgentMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly recorder: AgentMetricsRecorder,
  ) {}

  onModuleInit(): void {
    this.recorder.register(this.metrics.registry);
  }
}

/** The agent's Nest shell: probes and metrics around the plain AgentRuntime. */
@Module({})
export class AgentModule {
  static forRoot(recorder: AgentMetricsRecorder): DynamicModule {
    return {
      module: AgentModule,
      imports: [ObservabilityModule.forRoot({ component: 'agent', version: FLOTILLA_VERSION, readinessChecks: [AgentReadiness] })],
      providers: [AgentReadiness, { provide: AgentMetrics, useFactory: (m: MetricsRegistry) => new AgentMetrics(m, recorder), inject: [MetricsRegistry] }],
      exports: [AgentReadiness],
      global: true,
    };
  }
}
