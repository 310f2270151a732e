import type { EncryptionKeyring } from '@flotilla/crypto';
import type { HubConfig } from '../config/hub-config.js';
import { EventBus } from '../events/event-bus.js';
import type { EventKind, EventRecord } from '../events/event.types.js';
import { retryDelayMs, WebhookDispatcher } from './webhook-dispatcher.service.js';
import type { WebhookRepository } from './webhook.repository.js';

describe('retryDelayMs', () => {
  it.each([
    [1, 0, 1_000],
    [2, 0, 2_000],
    [5, 0, 16_000],
    [30, 0, 3_600_000],
    [3, 1, 4_400],
  ])('after attempt %i (jitter %d) waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(attempt, 1_000, random)).toBe(expected);
  });
});

describe('WebhookDispatcher waking', () => {
  const event = (id: number, kind: EventKind): EventRecord => ({ id: String(id), kind, subject: 'bundle/web/cluster/a', occurredAt: new Date(0), data: {} });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  /** The dispatcher over a stand-in repository that counts claim queries and answers the kinds asked for. */
  async function dispatcherWith(kinds: string[] | (() => Promise<Set<string>>)) {
    let claims = 0;
    const repository = {
      subscribedKinds: typeof kinds === 'function' ? kinds : async () => new Set(kinds),
      claimDue: async () => {
        claims += 1;
        return [];
      },
    } as unknown as WebhookRepository;
    const config = { events: { retentionMs: 60_000, retentionIntervalMs: 60_000, webhooks: { timeoutMs: 1_000 } } } as unknown as HubConfig;
    const bus = new EventBus();
    const dispatcher = new WebhookDispatcher(repository, {} as EncryptionKeyring, bus, config);
    dispatcher.onApplicationBootstrap();
    await settle();
    return { bus, dispatcher, claims: () => claims };
  }

  it('does not query for deliveries on events of kinds no webhook asks for', async () => {
    const { bus, dispatcher, claims } = await dispatcherWith(['rollout.started']);
    const afterStart = claims();
    for (let i = 1; i <= 100; i++) {
      bus.publish(event(i, 'bundle-deployment.changed'));
      await settle();
    }
    expect(claims()).toBe(afterStart);
    bus.publish(event(101, 'rollout.started'));
    await settle();
    expect(claims()).toBe(afterStart + 1);
    await dispatcher.onApplicationShutdown();
  });

  it('wakes on every event after a local change to the webhooks, until the kinds are read again', async () => {
    const { bus, dispatcher, claims } = await dispatcherWith([]);
    const afterStart = claims();
    dispatcher.webhooksChanged();
    bus.publish(event(1, 'bundle-deployment.changed'));
    await settle();
    expect(claims()).toBe(afterStart + 1);
    await dispatcher.onApplicationShutdown();
  });

  it('does not let a read of the kinds begun before a local change bring back the kinds from before it', async () => {
    let answer: (kinds: Set<string>) => void = () => undefined;
    const { bus, dispatcher, claims } = await dispatcherWith(() => new Promise((resolve) => (answer = resolve)));
    dispatcher.webhooksChanged(); // a webhook for drift.detected was just added here
    answer(new Set(['rollout.started'])); // the read begun at start, before the webhook existed
    await settle();
    const before = claims();
    bus.publish(event(1, 'drift.detected'));
    await settle();
    expect(claims()).toBe(before + 1);
    await dispatcher.onApplicationShutdown();
  });
});
