import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EncryptionKeyring } from '@flotilla/crypto';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { EventBus } from '../events/event-bus.js';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './sign-webhook.util.js';
import { webhookBody } from './webhook-payload.util.js';
import { postWebhook } from './webhook-sender.js';
import { WebhookRepository, type ClaimedDelivery } from './webhook.repository.js';
import { webhookSecretContext } from './webhook-secret-context.util.js';

const BATCH = 20;
const POLL_MS = 1_000;
const MAX_RETRY_MS = 3_600_000;

/** The wait before attempt `attempt + 1`: the base doubled per attempt, capped at an hour, with up to 10% jitter. */
export function retryDelayMs(attempt: number, baseMs: number, random = Math.random()): number {
  const plain = Math.min(MAX_RETRY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (1 + random * 0.1));
}

/**
 * Sends queued webhook deliveries: signed POSTs, one attempt per claim, retried with exponential
 * backoff until the configured attempts are spent. Woken by every event this hub sees of a kind a
 * webhook asks for (the delivery row is committed with the event), and by a poll for retries that
 * come due and for webhooks another replica added (the poll also refreshes the kinds asked for).
 * A status storm publishes thousands of events a second: waking on those nobody asked for would
 * run a claim query after each of them.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unwatch: (() => void) | undefined;
  /** Event kinds some webhook asks for; undefined until read (or after a local change): every event wakes. */
  private subscribedKinds: ReadonlySet<string> | undefined;
  /** Moves on each local change, so a read begun before it cannot bring back the kinds from before. */
  private webhooksVersion = 0;

  constructor(
    private readonly deliveries: WebhookRepository,
    private readonly keyring: EncryptionKeyring,
    private readonly bus: EventBus,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
    this.unwatch = this.bus.onPublish((event) => {
      if (this.subscribedKinds?.has(event.kind) ?? true) this.wake();
    });
    this.poll();
    // The delivery log is kept as long as the events it delivered.
    this.retentionTimer = setInterval(() => {
      void this.deliveries
        .deleteFinishedOlderThan(new Date(Date.now() - this.config.events.retentionMs))
        .catch((error: Error) => this.logger.error(`webhook delivery retention failed: ${error.message}`));
    }, this.config.events.retentionIntervalMs);
    this.retentionTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.retentionTimer);
    this.unwatch?.();
    await this.running;
  }

  /** The webhooks changed on this replica: wake on every event until the next poll reads their kinds. */
  webhooksChanged(): void {
    this.webhooksVersion++;
    this.subscribedKinds = undefined;
  }

  /** Runs a dispatch pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: Error) => this.logger.error(`webhook dispatch failed: ${error.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private poll(): void {
    if (this.stopped) return;
    const version = this.webhooksVersion;
    this.deliveries.subscribedKinds().then(
      (kinds) => {
        if (version === this.webhooksVersion) this.subscribedKinds = kinds;
      },
      (error: Error) => {
        this.subscribedKinds = undefined;
        this.logger.error(`reading the webhooks' event kinds failed: ${error.message}`);
      },
    );
    this.wake();
  }

  private async pass(): Promise<void> {
    const { timeoutMs } = this.config.events.webhooks;
    for (;;) {
      const claimed = await this.deliveries.claimDue(BATCH, timeoutMs + 5_000);
      await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
      if (claimed.length < BATCH || this.stopped) return;
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { maxAttempts, retryBaseMs, timeoutMs, allowPrivateAddresses } = this.config.events.webhooks;
    let status: number | null = null;
    let error: string;
    try {
      const secret = this.keyring.decrypt(delivery.encryptedSecret, webhookSecretContext(delivery.webhookId)).toString('utf8');
      const body = webhookBody(delivery.format, delivery.event);
      const timestamp = Math.floor(Date.now() / 1000);
      status = await postWebhook({
        url: delivery.url,
        body,
        timeoutMs,
        allowPrivateAddresses,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'flotilla-webhook',
          'x-flotilla-event': delivery.event.kind,
          'x-flotilla-delivery': delivery.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
      });
      if (status >= 200 && status < 300) {
        await this.deliveries.markDelivered(delivery.id, status);
        return;
      }
      error = `the receiver answered HTTP ${status}`;
    } catch (failure) {
      const name = (failure as Error).name;
      error =
        name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : name === 'BlockedAddressError'
            ? `refused: ${(failure as Error).message} (allowed only with FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)`
            : `could not deliver: ${(failure as Error).message}`;
    }
    const retryIn = delivery.attempt >= maxAttempts ? null : retryDelayMs(delivery.attempt, retryBaseMs);
    if (retryIn === null) this.logger.warn(`webhook delivery ${delivery.id} failed after ${delivery.attempt} attempts: ${error}`);
    await this.deliveries.markAttemptFailed(delivery.id, status, error, retryIn);
  }
}
