import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { openGitSession } from './git-session.js';
import { GitErrorCode } from './git.error.js';

const exec = promisify(execFile);
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----';

describe('openGitSession', () => {
  it('hardens the environment: empty HOME, no system/global config, no prompts, only allowed protocols', async () => {
    const session = await openGitSession({ transport: 'https' });
    try {
      expect(session.env).toMatchObject({
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_ALLOW_PROTOCOL: 'https:ssh',
      });
      expect(session.env.GIT_DIR).toBeUndefined();
      expect(session.configArgs.join(' ')).toContain('-c protocol.ext.allow=never -c protocol.file.allow=never');
      const config = await exec('git', ['config', '--list', '--show-origin'], { env: session.env, cwd: session.env.HOME });
      expect(config.stdout).not.toMatch(/file:/); // nothing read from any config file
    } finally {
      await session.dispose();
    }
    const withFiles = await openGitSession({ transport: 'file', allowFileUrls: true });
    expect(withFiles.env.GIT_ALLOW_PROTOCOL).toBe('https:ssh:file');
    expect(withFiles.configArgs).toContain('protocol.file.allow=always');
    await withFiles.dispose();
  });

  it('hands an HTTPS token to git through an askpass helper and files only', async () => {
    const token = 'ghp_verysecrettokenvalue';
    const session = await openGitSession({ transport: 'https', credentials: { kind: 'https-token', username: 'bot', token } });
    try {
      expect(JSON.stringify(session.env)).not.toContain(token);
      expect(session.configArgs.join(' ')).not.toContain(token);
      const askpass = session.env.GIT_ASKPASS!;
      expect((await exec(askpass, ["Username for 'https://github.com': "])).stdout).toBe('bot\n');
      expect((await exec(askpass, ["Password for 'https://bot@github.com': "])).stdout).toBe(`${token}\n`);
      expect((await stat(askpass)).mode & 0o777).toBe(0o700);
    } finally {
      await session.dispose();
    }
    await expect(stat(session.env.GIT_ASKPASS!)).rejects.toThrow(/ENOENT/);
  });

  it('writes an SSH key and known_hosts to 0600 files and checks host keys strictly', async () => {
    const session = await openGitSession({ transport: 'ssh', credentials: { kind: 'ssh-key', privateKey: KEY, knownHosts: 'github.com ssh-ed25519 AAAA' } });
    const command = session.env.GIT_SSH_COMMAND!;
    try {
      expect(command).toContain("'StrictHostKeyChecking=yes'");
      expect(command).toContain("'IdentitiesOnly=yes'");
      expect(command).toContain("'IdentityAgent=none'");
      expect(command).not.toContain('c2VjcmV0');
      const keyFile = /'-i' '([^']+)'/.exec(command)![1]!;
      const knownHosts = /'UserKnownHostsFile=([^']+)'/.exec(command)![1]!;
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(knownHosts)).mode & 0o777).toBe(0o600);
      expect(await readFile(keyFile, 'utf8')).toBe(`${KEY}\n`);
    } finally {
      await session.dispose();
    }
    await expect(stat(/'-i' '([^']+)'/.exec(command)![1]!)).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [{ kind: 'https-token' as const, token: 'a\nb' }, 'line break'],
    [{ kind: 'https-token' as const, token: '' }, 'empty'],
    [{ kind: 'ssh-key' as const, privateKey: 'not a key', knownHosts: 'h k' }, 'not a PEM/OpenSSH private key'],
    [{ kind: 'ssh-key' as const, privateKey: KEY, knownHosts: ' ' }, 'known_hosts'],
  ])('refuses unusable credentials %#', async (credentials, message) => {
    await expect(openGitSession({ credentials })).rejects.toMatchObject({ code: GitErrorCode.InvalidCredentials, message: expect.stringContaining(message) });
  });
});
