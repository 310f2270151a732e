import { validateRepositoryUrl } from '@flotilla/git';
import { SourceException, SourceExceptionCode } from './source.exception.js';
import { validatePollInterval, validateSourceCredentials, validateSourceName } from './validate-source-input.util.js';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const https = validateRepositoryUrl('https://example.com/r.git');
const ssh = validateRepositoryUrl('git@example.com:r.git');

function failure(run: () => unknown): SourceException {
  try {
    run();
  } catch (error) {
    if (error instanceof SourceException) return error;
    throw error;
  }
  throw new Error('expected a SourceException');
}

describe('source input rules', () => {
  it.each(['a', 'fleet', 'fleet-1', '0x', 'a'.repeat(63)])('accepts the name %s', (name) => expect(validateSourceName(name)).toBe(name));

  it.each(['', 'Fleet', 'fleet_1', '-fleet', 'fleet-', 'a'.repeat(64), 'fleet.prod'])('refuses the name %j', (name) => {
    expect(failure(() => validateSourceName(name))).toMatchObject({ code: SourceExceptionCode.InvalidSourceInput, argument: 'input.name' });
  });

  it.each([
    [null, null],
    [0, 0],
    [10, 10],
    [86_400, 86_400],
  ])('accepts the poll interval %j', (input, expected) => expect(validatePollInterval(input)).toBe(expected));

  it.each([1, 9, 86_401, -5, 1.5])('refuses the poll interval %j', (seconds) => {
    expect(failure(() => validatePollInterval(seconds)).argument).toBe('input.pollIntervalSeconds');
  });

  it.each([
    [{ httpsToken: 'zq9secret' }, https, { kind: 'https-token', token: 'zq9secret' }],
    [{ httpsToken: 'zq9secret', httpsUsername: ' bot ' }, https, { kind: 'https-token', token: 'zq9secret', username: 'bot' }],
    [{ sshPrivateKey: KEY, sshKnownHosts: 'example.com ssh-ed25519 AAAA' }, ssh, { kind: 'ssh-key', privateKey: KEY, knownHosts: 'example.com ssh-ed25519 AAAA' }],
  ])('accepts credentials %#', (input, url, expected) => {
    expect(validateSourceCredentials(input, url)).toEqual(expected);
  });

  it.each([
    [{}, https, 'input.credentials', 'either httpsToken or sshPrivateKey'],
    [{ httpsToken: 'zq9secret', sshPrivateKey: KEY }, https, 'input.credentials', 'either'],
    [{ httpsToken: 'zq9secret' }, ssh, 'input.credentials', 'cannot be used with an ssh URL'],
    [{ sshPrivateKey: KEY, sshKnownHosts: 'h k' }, https, 'input.credentials', 'cannot be used with an https URL'],
    [{ httpsToken: 'zq9 secret' }, https, 'input.credentials.httpsToken', 'whitespace'],
    [{ httpsToken: 'zq9secret', httpsUsername: 'a:b' }, https, 'input.credentials.httpsUsername', '":"'],
    [{ sshPrivateKey: 'nope', sshKnownHosts: 'h k' }, ssh, 'input.credentials.sshPrivateKey', 'private key'],
    [{ sshPrivateKey: KEY }, ssh, 'input.credentials.sshKnownHosts', 'required'],
    [{ httpsToken: 'x'.repeat(20_000) }, https, 'input.credentials.httpsToken', 'longer than'],
  ])('refuses credentials %#, naming the field but never the value', (input, url, argument, message) => {
    const error = failure(() => validateSourceCredentials(input, url));
    expect(error).toMatchObject({ code: SourceExceptionCode.InvalidSourceInput, argument });
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('zq9secret');
    expect(error.message).not.toContain('AAAA');
  });
});
