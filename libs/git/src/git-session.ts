import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitCredentials } from './git-credentials.js';
import { GitError, GitErrorCode } from './git.error.js';
import type { RepositoryTransport } from './validate-repository-url.util.js';

/** The hardened environment one or more git commands run in, plus the temp files behind it. */
export interface GitSession {
  readonly env: NodeJS.ProcessEnv;
  /** `-c key=value` pairs to put before the git subcommand. */
  readonly configArgs: readonly string[];
  /** Removes the session's temporary directory (credentials included). Idempotent. */
  dispose(): Promise<void>;
}

/** What a session must allow: the URL's transport, local repositories, and which credentials to hand to git. */
export interface GitSessionOptions {
  readonly transport?: RepositoryTransport;
  readonly allowFileUrls?: boolean;
  readonly credentials?: GitCredentials;
}

/**
 * Opens a session: an empty HOME, no system or global config, no terminal prompts, only the
 * protocols this source may use (GIT_ALLOW_PROTOCOL, plus `protocol.ext.allow=never`), hooks off.
 * Credentials are written to 0600 files in a 0700 directory and reach git only through
 * GIT_ASKPASS (HTTPS) or GIT_SSH_COMMAND (SSH), never through argv or environment values.
 */
export async function openGitSession(options: GitSessionOptions = {}): Promise<GitSession> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-git-'));
  await chmod(dir, 0o700);
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const home = join(dir, 'home');
    await mkdir(home, { mode: 0o700 });
    const protocols = ['https', 'ssh'];
    if (options.transport === 'http') protocols.push('http');
    if (options.allowFileUrls) protocols.push('file');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      LANG: 'C',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_ALLOW_PROTOCOL: protocols.join(':'),
      GIT_NO_REPLACE_OBJECTS: '1',
      GIT_LITERAL_PATHSPECS: '1',
      // Without an askpass a missing credential fails at once instead of prompting.
      GIT_ASKPASS: '/bin/false',
      SSH_ASKPASS: '/bin/false',
      GIT_SSH_COMMAND: sshCommand([]),
    };
    const credentials = options.credentials;
    if (credentials?.kind === 'https-token') {
      if (/[\r\n]/.test(credentials.token) || credentials.token.length === 0) {
        throw new GitError(GitErrorCode.InvalidCredentials, 'the HTTPS token is empty or contains a line break');
      }
      const username = credentials.username?.trim() || 'git';
      if (/[\r\n]/.test(username)) throw new GitError(GitErrorCode.InvalidCredentials, 'the HTTPS username contains a line break');
      const tokenFile = join(dir, 'token');
      const usernameFile = join(dir, 'username');
      await writeFile(tokenFile, `${credentials.token}\n`, { mode: 0o600 });
      await writeFile(usernameFile, `${username}\n`, { mode: 0o600 });
      const askpass = join(dir, 'askpass.sh');
      // git calls the helper with the prompt ("Username for …" / "Password for …") as $1.
      await writeFile(askpass, `#!/bin/sh\ncase "$1" in\n  Username*) cat '${usernameFile}' ;;\n  *) cat '${tokenFile}' ;;\nesac\n`, { mode: 0o700 });
      env.GIT_ASKPASS = askpass;
    } else if (credentials?.kind === 'ssh-key') {
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(credentials.privateKey)) {
        throw new GitError(GitErrorCode.InvalidCredentials, 'the SSH private key is not a PEM/OpenSSH private key');
      }
      if (credentials.knownHosts.trim().length === 0) {
        throw new GitError(GitErrorCode.InvalidCredentials, 'an SSH key needs known_hosts entries for the repository host');
      }
      const keyFile = join(dir, 'id_key');
      const knownHostsFile = join(dir, 'known_hosts');
      await writeFile(keyFile, credentials.privateKey.endsWith('\n') ? credentials.privateKey : `${credentials.privateKey}\n`, { mode: 0o600 });
      await writeFile(knownHostsFile, credentials.knownHosts.endsWith('\n') ? credentials.knownHosts : `${credentials.knownHosts}\n`, { mode: 0o600 });
      env.GIT_SSH_COMMAND = sshCommand(['-i', keyFile, '-o', `UserKnownHostsFile=${knownHostsFile}`]);
    }
    const configArgs = [
      '-c', 'protocol.ext.allow=never',
      '-c', `protocol.file.allow=${options.allowFileUrls ? 'always' : 'never'}`,
      '-c', 'core.hooksPath=/dev/null',
      '-c', 'core.fsmonitor=false',
      '-c', 'credential.helper=',
      '-c', 'submodule.recurse=false',
    ];
    return { env, configArgs, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** ssh with host keys checked strictly, only the given identity, no agent, no user config. */
export function sshCommand(extra: readonly string[]): string {
  const args = [
    'ssh', '-F', '/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'BatchMode=yes',
    '-o', 'GlobalKnownHostsFile=/dev/null',
    ...(extra.length > 0 ? extra : ['-o', 'UserKnownHostsFile=/dev/null']),
  ];
  // Paths come from mkdtemp (no quotes in them); quote every word for the shell git runs this in.
  return args.map((arg) => `'${arg}'`).join(' ');
}
