import { createHmac } from 'node:crypto';
import { signGithubWebhook, verifyWebhookSignature } from './webhook-signature.util.js';

const SECRET = 'webhook-secret';
const BODY = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = (secret: string, body: Buffer): string => createHmac('sha256', secret).update(body).digest('hex');

describe('verifyWebhookSignature', () => {
  it.each([
    ['GitHub push', { 'x-hub-signature-256': `sha256=${hmac(SECRET, BODY)}`, 'x-github-event': 'push' }, 'github', 'push'],
    ['GitHub ping', { 'x-hub-signature-256': `sha256=${hmac(SECRET, BODY).toUpperCase()}`, 'x-github-event': 'ping' }, 'github', 'ping'],
    ['GitHub issue', { 'x-hub-signature-256': `sha256=${hmac(SECRET, BODY)}`, 'x-github-event': 'issues' }, 'github', 'other'],
    ['Gitea push', { 'x-gitea-signature': hmac(SECRET, BODY), 'x-gitea-event': 'push' }, 'gitea', 'push'],
    ['Gogs push', { 'x-gogs-signature': hmac(SECRET, BODY), 'x-gogs-event': 'push' }, 'gitea', 'push'],
    ['GitLab push', { 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Push Hook' }, 'gitlab', 'push'],
    ['GitLab tag push', { 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Tag Push Hook' }, 'gitlab', 'push'],
  ])('accepts a valid %s', (_label, headers, provider, event) => {
    expect(verifyWebhookSignature(headers, BODY, SECRET)).toEqual({ valid: true, provider, event });
  });

  it.each([
    ['no signature header', {}, 'no X-Hub-Signature-256'],
    ['a GitHub signature made with another secret', { 'x-hub-signature-256': `sha256=${hmac('other', BODY)}` }, 'does not match'],
    ['a GitHub signature of another body', { 'x-hub-signature-256': `sha256=${hmac(SECRET, Buffer.from('{}'))}` }, 'does not match'],
    ['the SHA-1 GitHub header only', { 'x-hub-signature': `sha1=${'0'.repeat(40)}` }, 'no X-Hub-Signature-256'],
    ['a malformed GitHub signature', { 'x-hub-signature-256': 'sha256=xyz' }, 'is not "sha256='],
    ['a truncated GitHub signature', { 'x-hub-signature-256': `sha256=${hmac(SECRET, BODY).slice(0, 62)}` }, 'is not "sha256='],
    ['a Gitea signature with another secret', { 'x-gitea-signature': hmac('other', BODY) }, 'does not match'],
    ['a malformed Gitea signature', { 'x-gitea-signature': 'sha256=abc' }, 'is not 64 hex'],
    ['a wrong GitLab token', { 'x-gitlab-token': 'guess' }, 'does not match'],
    ['a GitLab token that is a prefix of the secret', { 'x-gitlab-token': SECRET.slice(0, 7) }, 'does not match'],
    ['an empty GitLab token', { 'x-gitlab-token': '' }, 'does not match'],
  ])('refuses %s', (_label, headers, reason) => {
    const result = verifyWebhookSignature(headers, BODY, SECRET);
    expect(result.valid).toBe(false);
    expect(result.valid === false && result.reason).toContain(reason);
  });

  it('signs like GitHub', () => {
    expect(signGithubWebhook(SECRET, BODY)).toBe(`sha256=${hmac(SECRET, BODY)}`);
  });
});
