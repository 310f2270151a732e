import type { JsonObject } from '../fields/json-value.util.js';
import { gone } from './api-status.error.js';

/** A change to one stored object, in resourceVersion order. `previous` lets filtered watches see transitions. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resourceKey: string;
  readonly namespace?: string;
  readonly resourceVersion: number;
  readonly object: JsonObject;
  readonly previous?: JsonObject;
}

/** What one watcher receives: store events already filtered, plus BOOKMARK and ERROR events. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: JsonObject;
}

/** Which events a watcher wants, and where to start. */
export interface WatchRequest {
  readonly resourceKey: string;
  readonly namespace?: string;
  /** Deliver events with a resourceVersion strictly greater than this. */
  readonly fromResourceVersion: number;
  /** Decides if an object is visible to this watcher (label/field selectors). */
  readonly matches: (obj: JsonObject) => boolean;
}

/** A live watcher; `stop()` is idempotent. */
export interface WatchHandle {
  stop(): void;
}

/**
 * Fans out store events to watchers and keeps a bounded window of recent events so a watch can
 * resume from an older resourceVersion; asking for one older than the window is a 410 Expired
 * ("too old resource version"), exactly what makes real clients relist.
 */
export class WatchHub {
  private readonly window: StoreEvent[] = [];
  private readonly watchers = new Set<{ req: WatchRequest; deliver: (e: WatchEvent) => void }>();
  /** The resourceVersion before the oldest event still in the window. */
  private floor = 0;

  constructor(private readonly capacity: number) {}

  publish(event: StoreEvent): void {
    this.window.push(event);
    if (this.window.length > this.capacity) this.floor = this.window.shift()!.resourceVersion;
    for (const w of this.watchers) this.offer(w.req, event, w.deliver);
  }

  /** Oldest resourceVersion a watch may start from. */
  get oldestResumable(): number {
    return this.floor;
  }

  /** Forget history (e.g. to simulate etcd compaction): every older resourceVersion becomes too old. */
  compact(upTo: number): void {
    while (this.window.length > 0 && this.window[0]!.resourceVersion <= upTo) this.window.shift();
    this.floor = Math.max(this.floor, upTo);
  }

  /**
   * Events of one resource after `resourceVersion`, oldest first, or undefined when the window no
   * longer reaches back that far (the history is compacted).
   */
  eventsAfter(resourceVersion: number, resourceKey: string): StoreEvent[] | undefined {
    if (resourceVersion < this.floor) return undefined;
    return this.window.filter((e) => e.resourceVersion > resourceVersion && e.resourceKey === resourceKey);
  }

  watch(req: WatchRequest, deliver: (e: WatchEvent) => void): WatchHandle {
    if (req.fromResourceVersion < this.floor) {
      throw gone(`too old resource version: ${req.fromResourceVersion} (${this.floor + 1})`);
    }
    for (const event of this.window) if (event.resourceVersion > req.fromResourceVersion) this.offer(req, event, deliver);
    const entry = { req, deliver };
    this.watchers.add(entry);
    return { stop: () => this.watchers.delete(entry) };
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private offer(req: WatchRequest, event: StoreEvent, deliver: (e: WatchEvent) => void): void {
    if (event.resourceKey !== req.resourceKey) return;
    if (req.namespace !== undefined && event.namespace !== req.namespace) return;
    if (event.resourceVersion <= req.fromResourceVersion) return;
    const now = req.matches(event.object);
    const before = event.previous !== undefined && req.matches(event.previous);
    // A filtered watch sees an object entering its selection as ADDED and leaving it as DELETED (watch-cache semantics).
    if (event.type === 'MODIFIED') {
      if (now && before) deliver({ type: 'MODIFIED', object: event.object });
      else if (now) deliver({ type: 'ADDED', object: event.object });
      else if (before) deliver({ type: 'DELETED', object: event.object });
      return;
    }
    if (now) deliver({ type: event.type, object: event.object });
  }
}
