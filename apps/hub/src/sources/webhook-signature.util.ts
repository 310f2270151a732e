import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Which forge signed a webhook, as told by the header it used. */
export type WebhookProvider = 'github' | 'gitea' | 'gitlab';

/** The outcome of checking a webhook: who sent it (when the proof holds) and what kind of event. */
export type WebhookVerification =
  | { readonly valid: true; readonly provider: WebhookProvider; readonly event: WebhookEvent }
  | { readonly valid: false; readonly reason: string };

/** What the hub does with an event: fetch on pushes, answer pings, ignore the rest. */
export type WebhookEvent = 'push' | 'ping' | 'other';

/**
 * Checks a webhook against the source's secret, over the exact raw body:
 * GitHub `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`, Gitea `X-Gitea-Signature: <hex HMAC-SHA256>`
 * (also Gogs' `X-Gogs-Signature`), GitLab `X-Gitlab-Token: <secret>`. Every comparison is
 * constant-time; a request carrying none of these headers is refused.
 */
export function verifyWebhookSignature(headers: IncomingHttpHeaders, body: Buffer, secret: string): WebhookVerification {
  const github = header(headers, 'x-hub-signature-256');
  if (github !== undefined) {
    const match = /^sha256=([0-9a-f]{64})$/i.exec(github.trim());
    if (!match) return { valid: false, reason: 'X-Hub-Signature-256 is not "sha256=<64 hex digits>"' };
    return equalHex(match[1]!, hmacHex(secret, body))
      ? { valid: true, provider: 'github', event: githubEvent(header(headers, 'x-github-event')) }
      : { valid: false, reason: 'X-Hub-Signature-256 does not match the body' };
  }
  const gitea = header(headers, 'x-gitea-signature') ?? header(headers, 'x-gogs-signature');
  if (gitea !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(gitea.trim())) return { valid: false, reason: 'X-Gitea-Signature is not 64 hex digits' };
    return equalHex(gitea.trim(), hmacHex(secret, body))
      ? { valid: true, provider: 'gitea', event: giteaEvent(header(headers, 'x-gitea-event') ?? header(headers, 'x-gogs-event')) }
      : { valid: false, reason: 'X-Gitea-Signature does not match the body' };
  }
  const gitlab = header(headers, 'x-gitlab-token');
  if (gitlab !== undefined) {
    // Hash both sides so the comparison is constant-time whatever their lengths.
    const same = timingSafeEqual(createHash('sha256').update(gitlab).digest(), createHash('sha256').update(secret).digest());
    return same
      ? { valid: true, provider: 'gitlab', event: gitlabEvent(header(headers, 'x-gitlab-event')) }
      : { valid: false, reason: 'X-Gitlab-Token does not match' };
  }
  return { valid: false, reason: 'no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header' };
}

/** The GitHub-style signature header value for a body; what a sender computes. */
export function signGithubWebhook(secret: string, body: Buffer | string): string {
  return `sha256=${hmacHex(secret, typeof body === 'string' ? Buffer.from(body) : body)}`;
}

function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'hex');
  const right = Buffer.from(b.toLowerCase(), 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function githubEvent(event: string | undefined): WebhookEvent {
  if (event === 'ping') return 'ping';
  return event === 'push' || event === 'create' ? 'push' : 'other';
}

function giteaEvent(event: string | undefined): WebhookEvent {
  return event === 'push' || event === 'create' ? 'push' : 'other';
}

function gitlabEvent(event: string | undefined): WebhookEvent {
  return event === 'Push Hook' || event === 'Tag Push Hook' ? 'push' : 'other';
}
