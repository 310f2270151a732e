import { spawn } from 'node:child_process';

/** How one git command runs: where, with which environment, bounded how. */
export interface RunGitOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Hard limit: the whole process group is killed (SIGKILL) when it passes. */
  readonly timeoutMs: number;
  /** Stdout beyond this kills the process; stderr is always kept to its last 16 KiB. */
  readonly maxStdoutBytes?: number;
  /** Aborting kills the process group, like the timeout. */
  readonly signal?: AbortSignal;
}

/** What a finished git command printed; `exitCode` 0 unless `allowFailure` was asked for. */
export interface GitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Why runGit gave up on a process rather than letting it finish. */
export type GitKillReason = 'timeout' | 'aborted' | 'output';

/** A git command that failed, timed out, or was killed; `stderr` is raw and must be sanitised by the caller. */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';

  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly killedFor: GitKillReason | undefined,
  ) {
    super(`git ${command} ${killedFor ? `was killed (${killedFor})` : `exited with ${exitCode}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

const STDERR_KEEP = 16_384;

/**
 * Why not simple-git here: its abort sends SIGINT to the git parent only (helpers such as
 * git-remote-https or ssh can outlive it), it cannot keep a `cat-file --batch` process open, and
 * its environment guard would have to be switched off (allowUnsafeAskPass, allowUnsafeSshCommand,
 * allowUnsafeConfigPaths) for exactly the hardening this library applies. Instead every argument is
 * built here from validated values, user values only ever come after `--` or pass validation that
 * refuses a leading "-", and no shell is involved.
 *
 * Runs `git <args>` without a shell, in its own process group so a timeout also ends its helpers
 * (git-remote-https, ssh, upload-pack). Resolves when it exits 0; otherwise rejects with a
 * GitCommandError (or resolves with the exit code when `allowFailure`).
 */
export function runGit(args: readonly string[], options: RunGitOptions, allowFailure = false): Promise<GitResult> {
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let killedFor: GitKillReason | undefined;
    const kill = (reason: GitKillReason): void => {
      if (killedFor || child.exitCode !== null) return;
      killedFor = reason;
      killProcessGroup(child.pid);
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = (): void => kill('aborted');
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) onAbort();

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) return kill('output');
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new GitCommandError(args[0] ?? '', null, error.message, undefined));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Helpers may outlive a killed parent for a moment; make sure the group is gone.
      if (killedFor) killProcessGroup(child.pid);
      const command = commandName(args);
      if (killedFor) return reject(new GitCommandError(command, code, stderr, killedFor));
      if (code !== 0 && !allowFailure) return reject(new GitCommandError(command, code, stderr, undefined));
      resolve({ stdout: Buffer.concat(stdout), stderr, exitCode: code ?? -1 });
    });
  });
}

/** Kills a detached child's whole process group; a group already gone is fine. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left to kill.
  }
}

/** The git subcommand, skipping `-c key=value` and other global options. */
function commandName(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '-c') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '?';
}
