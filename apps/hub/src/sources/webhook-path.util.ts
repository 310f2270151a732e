import type { IncomingMessage } from 'node:http';

/** Routes under this prefix read their own raw body (signatures are computed over the exact bytes). */
export const WEBHOOK_PATH_PREFIX = '/webhooks/';

/** Largest webhook body accepted; larger ones are answered 413 without being buffered. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export function webhookPathOf(sourceId: string): string {
  return `${WEBHOOK_PATH_PREFIX}sources/${sourceId}`;
}

/**
 * The `type` predicate of the hub's JSON body parser: JSON bodies everywhere except webhook routes,
 * which must see the raw bytes. Matches what body-parser's default ("application/json") matches.
 */
export function isJsonBodyOutsideWebhooks(request: IncomingMessage): boolean {
  if ((request.url ?? '').startsWith(WEBHOOK_PATH_PREFIX)) return false;
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json';
}
