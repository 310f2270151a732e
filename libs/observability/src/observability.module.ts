import { type DynamicModule, type InjectionToken, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware.js';
import { MetricsRegistry } from './metrics.registry.js';
import { ProbesController } from './probes.controller.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness.js';

export interface ObservabilityOptions {
  readonly component: string;
  readonly version: string;
  /** Providers (visible to this module, e.g. exported by a global module) implementing ReadinessCheck; /readyz asks each. */
  readonly readinessChecks: InjectionToken[];
}

/** /healthz, /readyz, /metrics and HTTP request metrics for a Flotilla process. */
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [ProbesController],
      providers: [
        { provide: MetricsRegistry, useValue: new MetricsRegistry(options.component, options.version) },
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: options.readinessChecks,
        },
      ],
      exports: [MetricsRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
