import type { IncomingMessage } from 'node:http';

/** The body, or why it was not read: over the limit (never buffered beyond it) or aborted. */
export type LimitedBody = { readonly kind: 'body'; readonly body: Buffer } | { readonly kind: 'too-large' } | { readonly kind: 'aborted' };

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over the limit is refused
 * before reading anything; a body that grows past it stops being collected at once. Either way the
 * caller answers 413 and then calls `discardRest`.
 */
export function readLimitedBody(request: IncomingMessage, maxBytes: number): Promise<LimitedBody> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise<LimitedBody>((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: LimitedBody): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        request.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'body', body: Buffer.concat(chunks) });
    const onError = (): void => finish({ kind: 'aborted' });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onError);
  });
}

/**
 * Throws away what is left of a refused body without keeping it, so the client can read the
 * answer; a sender that keeps going past `maxDiscardBytes` has its connection closed.
 */
export function discardRest(request: IncomingMessage, maxDiscardBytes = 16 * 1024 * 1024): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxDiscardBytes) request.socket.destroy();
  });
  request.on('error', () => undefined);
  request.resume();
}
