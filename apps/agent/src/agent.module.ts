import { type DynamicModule, Injectable, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { FLOTILLA_VERSION, MetricsRegistry, ObservabilityModule, type ReadinessCheck } from '@flotilla/observability';
import type { AgentRuntime } from './agent-runtime.js';

/** Ready once the agent runs; it keeps reconciling without the hub, so the hub is not a readiness condition. */
@Injectable()
class AgentReadiness implements ReadinessCheck {
  readonly name = 'agent';

  async check(): Promise<void> {}
}

/** flotilla_agent_connected: 1 while the hub has welcomed the stream. */
@Injectable()
class AgentMetrics implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly runtime: AgentRuntime,
  ) {}

  onModuleInit(): void {
    const connected = this.metrics.gauge('flotilla_agent_connected', 'Whether the agent holds a live stream to the hub.', []);
    const update = () => connected.set(this.runtime.connection.connected ? 1 : 0);
    update();
    this.timer = setInterval(update, 2_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

/** The agent's Nest shell: probes and metrics around the plain AgentRuntime. */
@Module({})
export class AgentModule {
  static forRoot(runtime: AgentRuntime): DynamicModule {
    return {
      module: AgentModule,
      imports: [ObservabilityModule.forRoot({ component: 'agent', version: FLOTILLA_VERSION, readinessChecks: [AgentReadiness] })],
      providers: [AgentReadiness, { provide: AgentMetrics, useFactory: (m: MetricsRegistry) => new AgentMetrics(m, runtime), inject: [MetricsRegistry] }],
      exports: [AgentReadiness],
      global: true,
    };
  }
}
