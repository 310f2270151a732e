import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../fields/json-value.util.js';
import { KubeApiError } from '../store/api-status.error.js';
import type { WatchEvent, WatchHandle } from '../store/watch-hub.js';

/** Encodes one watch event; `render` can turn the object into another shape (e.g. a Table row). */
export type EventRenderer = (object: JsonObject, type: WatchEvent['type']) => JsonObject;

/**
 * Streams watch events as newline-delimited JSON on a chunked 200 response, the way the API
 * server does. A watch that cannot start (410 too old) is sent as one ERROR event carrying the
 * Status, then the stream ends — clients relist on it. The stream ends after `timeoutSeconds`,
 * when the client goes away, or when the server drops it (`drop`).
 */
export class WatchStream {
  private handle?: WatchHandle;
  private timer?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly render: EventRenderer,
  ) {}

  start(open: (deliver: (event: WatchEvent) => void) => WatchHandle, timeoutSeconds: number | undefined, onEnd: () => void): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    this.res.flushHeaders();
    const end = (): void => {
      if (this.ended) return;
      this.ended = true;
      if (this.timer) clearTimeout(this.timer);
      this.handle?.stop();
      onEnd();
      this.res.end();
    };
    this.stop = end;
    this.req.on('close', end);
    this.res.on('close', end);
    try {
      this.handle = open((event) => this.write(event));
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      this.res.write(`${JSON.stringify({ type: 'ERROR', object: err.status })}\n`);
      end();
      return;
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      this.timer = setTimeout(end, timeoutSeconds * 1000);
      this.timer.unref();
    }
  }

  /** Ends the stream from the server side (fault injection, shutdown). */
  stop: () => void = () => undefined;

  private write(event: WatchEvent): void {
    if (this.ended) return;
    const object = event.type === 'BOOKMARK' || event.type === 'ERROR' ? event.object : this.render(event.object, event.type);
    this.res.write(`${JSON.stringify({ type: event.type, object })}\n`);
  }
}
