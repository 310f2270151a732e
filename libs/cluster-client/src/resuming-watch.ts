import type { ClusterWatch, ClusterWatchEvent, KubeObject, KubeObjectList } from './cluster-client.js';

/** The transport a ResumingWatch drives: list, and open one watch stream (client-node's Watch). */
export interface ResumingWatchSource {
  path(): Promise<string>;
  list(): Promise<KubeObjectList>;
  open(path: string, resourceVersion: string | undefined, onRaw: (type: ClusterWatchEvent['type'], object: KubeObject) => void, onEnd: (err: unknown) => void): Promise<{ abort(): void }>;
  readonly typeMeta: { apiVersion: string; kind: string };
  /** Where to start; omitted, the first stream sends an ADDED event per existing object. */
  readonly resourceVersion?: string;
  /** Whether BOOKMARK events reach the listener (they always advance the resume point). */
  readonly bookmarks: boolean;
  readonly onEvent: (event: ClusterWatchEvent) => void;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * A watch that outlives its streams, as client-go's reflector does: a stream that ends is reopened
 * from the last resourceVersion seen (bookmarks included); a 410 Expired relists and turns the
 * difference into ADDED/MODIFIED/DELETED events, so the listener never misses a change and never
 * has to relist itself. Reopening backs off on errors up to 5 s. `stop` is idempotent.
 */
export class ResumingWatch implements ClusterWatch {
  readonly closed: Promise<void>;
  private settle: () => void = () => undefined;
  private stopped = false;
  private lastRv: string | undefined;
  private readonly known = new Map<string, KubeObject>();
  private stream: { abort(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private relisting: Promise<void> | undefined;

  constructor(private readonly source: ResumingWatchSource) {
    this.closed = new Promise<void>((resolve) => (this.settle = resolve));
    this.lastRv = source.resourceVersion;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stream?.abort();
    this.settle();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const path = await this.source.path();
      if (this.stopped) return;
      let ended = false;
      const stream = await this.source.open(
        path,
        this.lastRv,
        (type, object) => {
          if (!ended) this.receive(type, object);
        },
        (err) => {
          if (ended) return;
          ended = true;
          this.reopen(err !== null && err !== undefined);
        },
      );
      if (this.stopped) stream.abort();
      else this.stream = stream;
    } catch {
      this.reopen(true);
    }
  }

  private reopen(failed: boolean): void {
    if (this.stopped) return;
    this.backoffMs = failed ? Math.min(MAX_BACKOFF_MS, Math.max(50, this.backoffMs * 2)) : 0;
    const go = (): void => {
      this.timer = undefined;
      void (this.relisting ?? Promise.resolve()).then(() => this.connect());
    };
    if (this.backoffMs === 0) go();
    else this.timer = setTimeout(go, this.backoffMs);
  }

  private receive(type: ClusterWatchEvent['type'], raw: KubeObject): void {
    if (this.stopped) return;
    if (type === 'ERROR') {
      const code = (raw as unknown as { code?: number }).code;
      if (code === 410) {
        this.relisting ??= this.relist().finally(() => (this.relisting = undefined));
        return;
      }
      this.source.onEvent({ type, object: raw });
      return;
    }
    this.backoffMs = 0;
    const rv = raw.metadata?.resourceVersion;
    if (rv) this.lastRv = rv;
    if (type === 'BOOKMARK') {
      if (this.source.bookmarks) this.source.onEvent({ type, object: raw });
      return;
    }
    const object = { ...raw, apiVersion: this.source.typeMeta.apiVersion, kind: this.source.typeMeta.kind };
    const key = keyOf(object);
    if (type === 'DELETED') this.known.delete(key);
    else this.known.set(key, object);
    this.source.onEvent({ type, object });
  }

  /** After 410 Expired: list, report what changed while the history was lost, resume from the list. */
  private async relist(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        const list = await this.source.list();
        if (this.stopped) return;
        const seen = new Set<string>();
        for (const object of list.items) {
          const key = keyOf(object);
          seen.add(key);
          const before = this.known.get(key);
          this.known.set(key, object);
          if (!before) this.source.onEvent({ type: 'ADDED', object });
          else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) this.source.onEvent({ type: 'MODIFIED', object });
        }
        for (const [key, object] of [...this.known]) {
          if (seen.has(key)) continue;
          this.known.delete(key);
          this.source.onEvent({ type: 'DELETED', object });
        }
        this.lastRv = list.resourceVersion;
        return;
      } catch {
        await new Promise((resolve) => (this.timer = setTimeout(resolve, 200)));
      }
    }
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
}
