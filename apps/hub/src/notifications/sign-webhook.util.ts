import { createHmac } from 'node:crypto';

/** Header carrying the Unix time (seconds) the delivery was signed at; receivers refuse old ones to stop replays. */
export const TIMESTAMP_HEADER = 'x-flotilla-timestamp';
/** Header carrying `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export const SIGNATURE_HEADER = 'x-flotilla-signature';

/** The signature header value for a body sent at a timestamp: the timestamp is signed too, so it cannot be replaced. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}
