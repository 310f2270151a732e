import { Controller, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { PublicRoute } from '@flotilla/observability';
import type { Request, Response } from 'express';
import { discardRest, readLimitedBody } from './read-limited-body.util.js';
import { SourceRepository } from './source.repository.js';
import { SourceSecrets } from './source-secrets.service.js';
import { SourceSyncService } from './source-sync.service.js';
import { MAX_WEBHOOK_BODY_BYTES } from './webhook-path.util.js';
import { verifyWebhookSignature } from './webhook-signature.util.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Push webhooks from forges. Public (no API token): each request proves itself with the source's
 * webhook secret. An unknown source and a bad signature get the same 401, so the endpoint tells
 * nothing about which ids exist. A valid push starts a sync at once and is answered 202 without
 * waiting for it.
 */
@Controller('webhooks/sources')
@PublicRoute()
export class SourceWebhookController {
  private readonly logger = new Logger(SourceWebhookController.name);

  constructor(
    private readonly sources: SourceRepository,
    private readonly secrets: SourceSecrets,
    private readonly sync: SourceSyncService,
  ) {}

  @Post(':id')
  async receive(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    // The hub's JSON parser skips /webhooks/ (see start-hub.ts), so the raw stream is untouched here.
    const read = await readLimitedBody(request, MAX_WEBHOOK_BODY_BYTES);
    if (read.kind === 'too-large') {
      response.status(413).set('connection', 'close').json({ error: `the body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes` });
      discardRest(request);
      return;
    }
    if (read.kind === 'aborted') return;

    const sealed = UUID.test(id) ? await this.sources.secretsOf(id) : null;
    const verdict = sealed ? verifyWebhookSignature(request.headers, read.body, this.secrets.openWebhookSecret(id, sealed.webhookSecret)) : undefined;
    if (!verdict?.valid) {
      this.logger.warn(`refused a webhook for source ${id.slice(0, 36)} from ${request.ip}: ${verdict ? verdict.reason : 'unknown source'}`);
      response.status(401).json({ error: 'unknown source or invalid signature' });
      return;
    }
    if (verdict.event === 'ping') {
      response.status(200).json({ status: 'pong' });
      return;
    }
    if (verdict.event !== 'push') {
      response.status(202).json({ status: 'ignored' });
      return;
    }
    this.logger.log(`webhook (${verdict.provider} push) for source ${id}: syncing`);
    void this.sync.sync(id, 'webhook');
    response.status(202).json({ status: 'accepted' });
  }
}
