import { z } from 'zod';
import { boundedInteger, flag } from './env-schema.util.js';

/** The event timeline and status history, live subscriptions and outgoing webhooks (FLOTILLA_EVENTS_*, FLOTILLA_STATUS_HISTORY_*, FLOTILLA_SUBSCRIPTION_*, FLOTILLA_WEBHOOK_*). */
export interface EventsConfig {
  /** Events older than this are deleted by the retention job. */
  readonly retentionMs: number;
  /** BundleDeployments' status transitions (the history beside their latest state) older than this are deleted. */
  readonly statusHistoryRetentionMs: number;
  /** How often the retention jobs (events, status history) run. */
  readonly retentionIntervalMs: number;
  /**
   * How often live subscriptions re-check their tokens. Revocation closes sockets at once (NOTIFY);
   * this sweep catches expiry and anything missed while the LISTEN connection was down.
   */
  readonly tokenRecheckMs: number;
  /** Most live operations one WebSocket may hold. */
  readonly maxSubscriptionsPerSocket: number;
  /** Largest message a graphql-ws client may send; a bigger one closes its socket (1009). */
  readonly maxSubscriptionMessageBytes: number;
  /** Outgoing webhooks. */
  readonly webhooks: WebhooksConfig;
}

/** How outgoing webhooks are delivered (FLOTILLA_WEBHOOK_*). */
export interface WebhooksConfig {
  /** Plain http:// webhook URLs (tests, demos); https only otherwise. */
  readonly allowInsecureHttp: boolean;
  /** Deliveries may reach private, loopback and link-local addresses (off: a webhook cannot probe the hub's network). */
  readonly allowPrivateAddresses: boolean;
  /** Attempts per delivery before it is marked failed. */
  readonly maxAttempts: number;
  /** Delay before the first retry; each further retry doubles it (capped at an hour). */
  readonly retryBaseMs: number;
  /** Time allowed for the receiver to answer one attempt. */
  readonly timeoutMs: number;
}

export const eventsConfigShape = {
  FLOTILLA_EVENTS_RETENTION_DAYS: boundedInteger(30, 1, 3_650, 'days', 86_400_000),
  FLOTILLA_EVENTS_RETENTION_INTERVAL_S: boundedInteger(3_600, 1, 86_400, 'seconds', 1_000),
  FLOTILLA_STATUS_HISTORY_RETENTION_DAYS: boundedInteger(14, 1, 3_650, 'days', 86_400_000),
  FLOTILLA_SUBSCRIPTION_TOKEN_RECHECK_S: boundedInteger(30, 1, 3_600, 'seconds', 1_000),
  FLOTILLA_SUBSCRIPTION_MAX_PER_SOCKET: boundedInteger(100, 1, 10_000, 'operations'),
  FLOTILLA_SUBSCRIPTION_MAX_MESSAGE_BYTES: boundedInteger(1_048_576, 1_024, 67_108_864, 'bytes'),
  FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP: flag(false),
  FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: flag(false),
  FLOTILLA_WEBHOOK_MAX_ATTEMPTS: boundedInteger(8, 1, 50, 'attempts'),
  FLOTILLA_WEBHOOK_RETRY_BASE_MS: boundedInteger(1_000, 10, 3_600_000, 'milliseconds'),
  FLOTILLA_WEBHOOK_TIMEOUT_MS: boundedInteger(10_000, 100, 120_000, 'milliseconds'),
};

type Parsed = z.output<z.ZodObject<typeof eventsConfigShape>>;

export function eventsConfigFrom(value: Parsed): EventsConfig {
  return {
    retentionMs: value.FLOTILLA_EVENTS_RETENTION_DAYS,
    statusHistoryRetentionMs: value.FLOTILLA_STATUS_HISTORY_RETENTION_DAYS,
    retentionIntervalMs: value.FLOTILLA_EVENTS_RETENTION_INTERVAL_S,
    tokenRecheckMs: value.FLOTILLA_SUBSCRIPTION_TOKEN_RECHECK_S,
    maxSubscriptionsPerSocket: value.FLOTILLA_SUBSCRIPTION_MAX_PER_SOCKET,
    maxSubscriptionMessageBytes: value.FLOTILLA_SUBSCRIPTION_MAX_MESSAGE_BYTES,
    webhooks: {
      allowInsecureHttp: value.FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP,
      allowPrivateAddresses: value.FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
      maxAttempts: value.FLOTILLA_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: value.FLOTILLA_WEBHOOK_RETRY_BASE_MS,
      timeoutMs: value.FLOTILLA_WEBHOOK_TIMEOUT_MS,
    },
  };
}
