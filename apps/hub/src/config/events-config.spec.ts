import { ConfigError } from './config.error.js';
import { loadHubConfig } from './hub-config.js';

describe('the events section of the hub configuration', () => {
  it('has documented defaults', () => {
    expect(loadHubConfig({}, '/srv').events).toEqual({
      retentionMs: 30 * 86_400_000,
      statusHistoryRetentionMs: 14 * 86_400_000,
      retentionIntervalMs: 3_600_000,
      tokenRecheckMs: 30_000,
      maxSubscriptionsPerSocket: 100,
      maxSubscriptionMessageBytes: 1_048_576,
      webhooks: { allowInsecureHttp: false, allowPrivateAddresses: false, maxAttempts: 8, retryBaseMs: 1_000, timeoutMs: 10_000 },
    });
  });

  it('reads every variable', () => {
    const config = loadHubConfig({
      FLOTILLA_EVENTS_RETENTION_DAYS: '7',
      FLOTILLA_EVENTS_RETENTION_INTERVAL_S: '60',
      FLOTILLA_STATUS_HISTORY_RETENTION_DAYS: '3',
      FLOTILLA_SUBSCRIPTION_TOKEN_RECHECK_S: '5',
      FLOTILLA_SUBSCRIPTION_MAX_PER_SOCKET: '10',
      FLOTILLA_SUBSCRIPTION_MAX_MESSAGE_BYTES: '4096',
      FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP: 'yes',
      FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
      FLOTILLA_WEBHOOK_MAX_ATTEMPTS: '3',
      FLOTILLA_WEBHOOK_RETRY_BASE_MS: '50',
      FLOTILLA_WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(config.events).toEqual({
      retentionMs: 7 * 86_400_000,
      statusHistoryRetentionMs: 3 * 86_400_000,
      retentionIntervalMs: 60_000,
      tokenRecheckMs: 5_000,
      maxSubscriptionsPerSocket: 10,
      maxSubscriptionMessageBytes: 4_096,
      webhooks: { allowInsecureHttp: true, allowPrivateAddresses: true, maxAttempts: 3, retryBaseMs: 50, timeoutMs: 2_000 },
    });
  });

  it.each([
    ['FLOTILLA_EVENTS_RETENTION_DAYS', '0'],
    ['FLOTILLA_EVENTS_RETENTION_DAYS', 'forever'],
    ['FLOTILLA_STATUS_HISTORY_RETENTION_DAYS', '0'],
    ['FLOTILLA_SUBSCRIPTION_TOKEN_RECHECK_S', '-1'],
    ['FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP', 'maybe'],
    ['FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES', 'maybe'],
    ['FLOTILLA_WEBHOOK_MAX_ATTEMPTS', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadHubConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadHubConfig({ [name]: value })).toThrow(name);
  });
});
