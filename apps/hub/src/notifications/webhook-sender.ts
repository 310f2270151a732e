import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { BlockedAddressError, blockedAddressReason, publicOnlyLookup } from './webhook-address.guard.js';

/** One POST of a webhook delivery. */
export interface WebhookPost {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  /** Let the POST reach private, loopback and link-local addresses (FLOTILLA_WEBHOOK_ALLOW_PRIVATE_ADDRESSES). */
  readonly allowPrivateAddresses: boolean;
}

/**
 * POSTs a webhook and resolves with the receiver's HTTP status; redirects are not followed (a
 * 3xx is the receiver's answer). Unless allowed, the connection refuses private, loopback,
 * link-local and reserved addresses — literal or resolved — so a webhook cannot be pointed at the
 * hub's own network or a cloud metadata service. Rejects on a refused address, a network error
 * or the timeout (a TimeoutError).
 */
export function postWebhook(post: WebhookPost): Promise<number> {
  const url = new URL(post.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!post.allowPrivateAddresses && isIP(host)) {
    const reason = blockedAddressReason(host);
    if (reason) return Promise.reject(new BlockedAddressError(`${host} is ${reason}`));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': Buffer.byteLength(post.body) },
        signal: AbortSignal.timeout(post.timeoutMs),
        ...(post.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }),
      },
      (response: IncomingMessage) => {
        response.resume(); // the body is not read: only the status counts
        resolve(response.statusCode ?? 0);
      },
    );
    // An abort by the timeout carries the TimeoutError as its cause (a DOMException: no instanceof across realms).
    request.on('error', (error: Error) => reject(error.name === 'AbortError' && typeof (error.cause as Error | undefined)?.name === 'string' ? error.cause : error));
    request.end(post.body);
  });
}
