import { GitError, GitErrorCode } from './git.error.js';
import { validateRepositoryUrl } from './validate-repository-url.util.js';

describe('validateRepositoryUrl', () => {
  it.each([
    ['https://github.com/acme/fleet.git', {}, 'https'],
    ['https://gitlab.example.com:8443/group/sub/fleet', {}, 'https'],
    ['https://oauth2@gitlab.example.com/fleet.git', {}, 'https'],
    ['ssh://git@github.com/acme/fleet.git', {}, 'ssh'],
    ['ssh://git@git.example.com:2222/fleet.git', {}, 'ssh'],
    ['git@github.com:acme/fleet.git', {}, 'ssh'],
    ['github.com:acme/fleet.git', {}, 'ssh'],
    ['http://git.internal/fleet.git', { allowInsecureHttp: true }, 'http'],
    ['file:///srv/git/fleet.git', { allowFileUrls: true }, 'file'],
    ['/srv/git/fleet.git', { allowFileUrls: true }, 'file'],
  ])('accepts %s %j as %s', (url, options, transport) => {
    expect(validateRepositoryUrl(url, options)).toEqual({ url, transport });
  });

  it.each([
    ['', {}, 'is empty'],
    ['ext::sh -c touch% /tmp/pwned', {}, 'remote-helper syntax "ext::"'],
    ['ext::sh', {}, 'remote-helper syntax "ext::"'],
    ['fd::17', {}, 'remote-helper syntax "fd::"'],
    ['transport::https://x', {}, 'remote-helper syntax'],
    ['-upload-pack=touch /tmp/pwned', {}, 'starts with "-"'],
    ['https://github.com/acme/fleet.git --upload-pack=x', {}, 'contains whitespace'],
    ['--upload-pack=touch', {}, 'starts with "-"'],
    ['-oProxyCommand=x', {}, 'starts with "-"'],
    ['ssh://-oProxyCommand=touch/x', {}, 'host or user starting with "-"'],
    ['-host:repo', {}, 'starts with "-"'],
    ['git@-host:repo', {}, 'host or user starting with "-"'],
    ['file:///etc', {}, 'file:// URL'],
    ['file:///etc', { allowInsecureHttp: true }, 'file:// URL'],
    ['/srv/git/repo', {}, 'local path'],
    ['./repo', { allowFileUrls: true }, 'relative local path'],
    ['repo', { allowFileUrls: true }, 'relative local path'],
    ['http://git.internal/fleet.git', {}, 'uses http://'],
    ['http://git.internal/fleet.git', { allowFileUrls: true }, 'uses http://'],
    ['git://github.com/acme/fleet.git', {}, 'unsupported scheme "git://"'],
    ['ftp://example.com/x', {}, 'unsupported scheme'],
    ['https://user:hunter2@github.com/acme/fleet.git', {}, 'contains a password'],
    ['https://github.com/acme/fleet.git\n', {}, 'control character'],
    ['https://github.com/acme/fle\u0000et', {}, 'control character'],
    ['https://github.com/ acme', {}, 'whitespace'],
    ['https://', {}, 'not a valid URL'],
    ['git@github.com:', {}, 'no repository path'],
    [`https://github.com/${'a'.repeat(2_100)}`, {}, 'longer than'],
  ])('refuses %j %j: %s', (url, options, problem) => {
    let error: unknown;
    try {
      validateRepositoryUrl(url, options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).code).toBe(GitErrorCode.InvalidUrl);
    expect((error as GitError).message).toContain(problem);
    expect((error as GitError).message).toMatch(/^repository URL "/);
  });

  it('never echoes a password back', () => {
    expect(() => validateRepositoryUrl('https://u:supersecret@host/x')).toThrow(/password/);
  });
});
