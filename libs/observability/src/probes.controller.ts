import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics.registry.js';
import { PublicRoute } from './public-route.decorator.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness.js';

const CHECK_TIMEOUT_MS = 2_000;

/** Liveness, readiness and Prometheus metrics: unauthenticated, cheap, and never cached. */
@Controller()
@PublicRoute()
export class ProbesController {
  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<{ status: string; checks: Record<string, string> }> {
    const results = await Promise.all(this.checks.map(async (check) => [check.name, await runCheck(check)] as const));
    const ready = results.every(([, result]) => result === 'ok');
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) };
  }

  @Get('metrics')
  async metricsText(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    response.setHeader('Cache-Control', 'no-store');
    response.send(await this.metrics.registry.metrics());
  }
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
