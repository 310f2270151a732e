import { Injectable } from '@nestjs/common';
import type { EventRecord } from './event.types.js';

/** Thrown to a subscriber whose queue overflowed: it missed events, so it is ended rather than silently skipped. */
export class SubscriberTooSlowError extends Error {
  override readonly name = 'SubscriberTooSlowError';
}

const MAX_QUEUED = 1_000;

class Subscription<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private failure: Error | undefined;
  private done = false;

  constructor(
    private readonly accept: (event: EventRecord) => T | undefined,
    private readonly onEnd: () => void,
  ) {}

  push(event: EventRecord): void {
    if (this.done) return;
    const value = this.accept(event);
    if (value === undefined) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value, done: false });
    } else if (this.queue.length >= MAX_QUEUED) {
      this.fail(new SubscriberTooSlowError(`this subscription fell ${MAX_QUEUED} events behind and was ended; resubscribe, and read what was missed with the events query`));
    } else {
      this.queue.push(value);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private fail(error: Error): void {
    this.failure = error;
    this.queue.length = 0;
    this.end();
    if (this.failWaiting) this.failWaiting(error);
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    if (this.waiting && !this.failure) this.waiting({ value: undefined, done: true });
    this.waiting = this.failWaiting = undefined;
  }
}

/**
 * Fans events out to the subscribers of this hub process, in the order they are published. Each
 * subscriber has a bounded queue; one that falls too far behind is ended with SubscriberTooSlowError
 * instead of holding memory without bound or missing events unnoticed.
 */
@Injectable()
export class EventBus {
  private readonly subscribers = new Set<Subscription<unknown>>();
  private readonly watchers = new Set<(event: EventRecord) => void>();

  /** Subscribers currently attached (for metrics and tests). */
  get size(): number {
    return this.subscribers.size;
  }

  /** An iterator of `select(event)` for every published event where it is not undefined. */
  subscribe<T>(select: (event: EventRecord) => T | undefined): AsyncIterableIterator<T> {
    const subscription: Subscription<T> = new Subscription(select, () => this.subscribers.delete(subscription as Subscription<unknown>));
    this.subscribers.add(subscription as Subscription<unknown>);
    return subscription;
  }

  /** A synchronous callback for in-process consumers (not a subscription: never queued, not counted). */
  onPublish(watcher: (event: EventRecord) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  publish(event: EventRecord): void {
    for (const subscriber of this.subscribers) subscriber.push(event);
    for (const watcher of this.watchers) watcher(event);
  }
}
