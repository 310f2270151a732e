import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsRegistry } from './metrics.registry.js';

/** Counts and times every HTTP request by its route template (never the raw URL: bounded label values). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsRegistry) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? (request.baseUrl || 'unmatched');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpRequests.inc({ method: request.method, route, status: String(response.statusCode) });
      this.metrics.httpDuration.observe({ method: request.method, route }, seconds);
    });
    next();
  }
}
