import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `flotilla` CLI from source in a child process with only the given environment (in `cwd`, the repository by default). */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'cli', 'src', 'main.ts'), ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A `flotilla` process left running (e.g. a --watch), with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches, or fails after the deadline with what was printed. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The same for stderr: a separate pipe, so what was written to it before stdout may arrive after. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The exit code (a signal death counts as 128 + its number), once it ends. */
  readonly exited: Promise<number>;
}

/**
 * Starts the `flotilla` CLI from source like runCli, without waiting for it to end. With `terminal`, it runs under
 * util-linux `script`, so its stdout is a pseudo-terminal (as when a person runs it).
 */
export function startCli(args: string[], env: Record<string, string> = {}, options: { terminal?: boolean } = {}): RunningCli {
  const argv = [process.execPath, '--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'cli', 'src', 'main.ts'), ...args];
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const [command, ...commandArgs] = options.terminal ? ['script', '-qfec', quoted, '/dev/null'] : argv;
  const child = spawn(command!, commandArgs, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0))),
  );
  const waitFor = async (name: string, text: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(text())) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`flotilla ${args.join(' ')}: ${name} never matched ${pattern}${child.exitCode !== null ? ` (exited ${child.exitCode})` : ''}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return text();
  };
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout: (pattern, timeoutMs) => waitFor('stdout', () => stdout, pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs) => waitFor('stderr', () => stderr, pattern, timeoutMs),
  };
}
