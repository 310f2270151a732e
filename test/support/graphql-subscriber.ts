import { createClient, type Client } from 'graphql-ws';

/** How a WebSocket connection ended, as the server closed it. */
export interface Closure {
  readonly code: number;
  readonly reason: string;
}

/**
 * One graphql-ws subscription over a real socket (Node's WebSocket), collecting what it receives.
 * No retries: a test sees exactly what the hub did.
 */
export class Subscriber<T = Record<string, unknown>> {
  readonly received: T[] = [];
  readonly errors: unknown[] = [];
  closed: Closure | undefined;
  connected = false;
  completed = false;
  private cursor = 0;
  private readonly client: Client;
  private readonly stop: () => void;

  constructor(httpUrl: string, query: string, options: { token?: string; variables?: Record<string, unknown>; connectionParams?: Record<string, unknown> } = {}) {
    this.client = createClient({
      url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: options.connectionParams ?? (options.token ? { authorization: `Bearer ${options.token}` } : {}),
      on: {
        connected: () => (this.connected = true),
        closed: (event) => {
          const close = event as { code?: number; reason?: string };
          this.closed = { code: close.code ?? 0, reason: close.reason ?? '' };
        },
      },
      onNonLazyError: () => undefined,
    });
    this.stop = this.client.subscribe<T>(
      { query, variables: options.variables },
      {
        next: (message) => {
          if (message.errors) this.errors.push(...message.errors);
          if (message.data) this.received.push(...(Object.values(message.data) as T[]));
        },
        error: (error) => this.errors.push(error),
        complete: () => (this.completed = true),
      },
    );
  }

  /** The next received value (after those already taken) that matches, waiting up to the deadline. */
  async next(match: (value: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const value = this.received[this.cursor++]!;
        if (match(value)) return value;
      }
      if (this.closed) throw new Error(`the socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      if (Date.now() > deadline) throw new Error(`nothing matching within ${timeoutMs} ms; received ${JSON.stringify(this.received)}; errors ${JSON.stringify(this.errors)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Resolves with how the socket closed, or throws after the deadline. */
  async closedWith(timeoutMs = 10_000): Promise<Closure> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`the socket is still open after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.closed;
  }

  async close(): Promise<void> {
    this.stop();
    await this.client.dispose();
  }
}

/** Live subscription operations the hub reports on /metrics (its `flotilla_event_subscribers` gauge). */
export async function liveSubscribers(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const match = /^flotilla_event_subscribers(?:\{[^}]*\})? (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Waits until the hub reports at least `count` live subscription operations (a subscribe has no acknowledgement). */
export async function untilSubscribed(httpUrl: string, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await liveSubscribers(httpUrl)) < count) {
    if (Date.now() > deadline) throw new Error(`the hub reports ${await liveSubscribers(httpUrl)} live subscriptions, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** N subscribers to the same operation, for fan-out tests and the API benchmark. */
export interface SubscriberFleet<T> {
  readonly subscribers: Subscriber<T>[];
  /** Runs `produce`, then resolves with the milliseconds until every subscriber received a matching value. */
  timeDelivery(produce: () => Promise<unknown>, match: (value: T) => boolean, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens `count` subscribers (each its own socket) and waits until the hub has them all live, so an
 * event produced afterwards must reach every one. Used by the API benchmark to time "event → N subscribers".
 */
export async function subscribeMany<T = Record<string, unknown>>(
  httpUrl: string,
  count: number,
  query: string,
  options: { token: string; variables?: Record<string, unknown> },
): Promise<SubscriberFleet<T>> {
  const before = await liveSubscribers(httpUrl);
  const subscribers = Array.from({ length: count }, () => new Subscriber<T>(httpUrl, query, options));
  await untilSubscribed(httpUrl, before + count, 30_000);
  return {
    subscribers,
    timeDelivery: async (produce, match, timeoutMs = 30_000) => {
      const started = performance.now();
      await produce();
      await Promise.all(subscribers.map((subscriber) => subscriber.next(match, timeoutMs)));
      return performance.now() - started;
    },
    close: async () => {
      await Promise.all(subscribers.map((subscriber) => subscriber.close()));
    },
  };
}
