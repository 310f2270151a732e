import { EventBus, SubscriberTooSlowError } from './event-bus.js';
import type { EventRecord } from './event.types.js';

const event = (id: number, subject = 'cluster/a'): EventRecord => ({ id: String(id), kind: 'cluster.connected', subject, occurredAt: new Date(0), data: {} });

describe('EventBus', () => {
  it('hands each subscriber what its selector accepts, in publish order', async () => {
    const bus = new EventBus();
    const onlyB = bus.subscribe((e) => (e.subject === 'cluster/b' ? e.id : undefined));
    const all = bus.subscribe((e) => e.id);
    [event(1), event(2, 'cluster/b'), event(3), event(4, 'cluster/b')].forEach((e) => bus.publish(e));
    expect([await onlyB.next(), await onlyB.next()].map((r) => r.value)).toEqual(['2', '4']);
    expect(await Promise.all([1, 2, 3, 4].map(() => all.next().then((r) => r.value)))).toEqual(['1', '2', '3', '4']);
  });

  it('resolves a waiting next() when an event arrives, and detaches a subscriber on return()', async () => {
    const bus = new EventBus();
    const subscription = bus.subscribe((e) => e.id);
    const pending = subscription.next();
    bus.publish(event(7));
    expect(await pending).toEqual({ value: '7', done: false });
    expect(bus.size).toBe(1);
    await subscription.return!();
    expect(bus.size).toBe(0);
    expect(await subscription.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a subscriber that falls 1000 events behind with SubscriberTooSlowError, not silently', async () => {
    const bus = new EventBus();
    const slow = bus.subscribe((e) => e.id);
    for (let i = 0; i <= 1_000; i += 1) bus.publish(event(i));
    expect(bus.size).toBe(0);
    await expect(slow.next()).rejects.toBeInstanceOf(SubscriberTooSlowError);
  });
});
