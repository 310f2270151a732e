import { REDACTED, redactSecrets, redactUrl } from './redact-secrets.util.js';

describe('redactSecrets', () => {
  it.each([
    [{ password: 'p' }, { password: REDACTED }],
    [{ input: { sshPrivateKey: 'k', name: 'n' } }, { input: { sshPrivateKey: REDACTED, name: 'n' } }],
    [{ token: 't', apiKey: 'a', clientSecret: 's', httpsCredentials: { user: 'u' } }, { token: REDACTED, apiKey: REDACTED, clientSecret: REDACTED, httpsCredentials: REDACTED }],
    [{ selector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } }, { selector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } }],
    [{ manifest: { kind: 'Secret', data: { a: 'eA==' }, stringData: { b: 'x' }, metadata: { name: 's' } } }, { manifest: { kind: 'Secret', data: REDACTED, stringData: REDACTED, metadata: { name: 's' } } }],
    [{ manifest: { kind: 'ConfigMap', data: { a: 'plain' } } }, { manifest: { kind: 'ConfigMap', data: { a: 'plain' } } }],
    [{ expiresInDays: 3, role: 'admin', password: null }, { expiresInDays: 3, role: 'admin', password: null }],
  ])('%j → %j', (input, expected) => {
    expect(redactSecrets(input)).toEqual(expected);
  });

  it.each([
    ['https://github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['https://x-access-token:ghp_abc@github.com/org/repo.git', `https://${encodeURIComponent(REDACTED)}@github.com/org/repo.git`],
    ['https://user@example.com/r', `https://${encodeURIComponent(REDACTED)}@example.com/r`],
    ['https://h.example/hook?token=abc&x=1', `https://h.example/hook?token=${encodeURIComponent(REDACTED)}&x=${encodeURIComponent(REDACTED)}`],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
    ['not a url', 'not a url'],
    ['weird user:pass@host', REDACTED],
  ])('redactUrl(%s) → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('redacts URLs under any *url key and any absolute URL elsewhere, and leaves other strings alone', () => {
    expect(redactSecrets({ input: { url: 'u:p@h.example/r', note: 'https://u:p@h.example/r', names: ['https://h.example/?k=v'], name: 'web' } })).toEqual({
      input: { url: REDACTED, note: `https://${encodeURIComponent(REDACTED)}@h.example/r`, names: [`https://h.example/?k=${encodeURIComponent(REDACTED)}`], name: 'web' },
    });
  });

  it('does not modify its input', () => {
    const input = { password: 'p' };
    redactSecrets(input);
    expect(input.password).toBe('p');
  });

  it('survives cycles and very deep input', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ name: 'a', self: '[TRUNCATED]' });
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 10_000; i += 1) deep = (deep.next = {}) as Record<string, unknown>;
    expect(() => JSON.stringify(redactSecrets(top))).not.toThrow();
  });
});
