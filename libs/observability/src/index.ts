export { HttpMetricsMiddleware } from './http-metrics.middleware.js';
export { createJsonLogger, LOG_LEVELS, type FlotillaLogLevel } from './json-logger.js';
export { MetricsRegistry } from './metrics.registry.js';
export { ObservabilityModule, type ObservabilityOptions } from './observability.module.js';
export { ProbesController } from './probes.controller.js';
export { PUBLIC_ROUTE, PublicRoute } from './public-route.decorator.js';
export { READINESS_CHECKS, type ReadinessCheck } from './readiness.js';
export { FLOTILLA_VERSION } from './flotilla-version.js';
