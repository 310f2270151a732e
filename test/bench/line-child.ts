// The gateway benchmark's child processes (fleet simulators, the raw fan-out server and its
// clients): each reads commands as JSON lines on stdin and answers in JSON lines on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process speaking JSON lines: the driver keeps the latest line of each kind. */
export class LineChild {
  readonly latest = new Map<string, Record<string, unknown>>();
  readonly errors: string[] = [];
  readonly exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    config: unknown,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        const kind = Object.keys(value)[0] ?? '';
        this.latest.set(kind === 'registered' ? 'counts' : kind, value);
        if (kind === 'failed' || kind === 'error' || kind === 'disconnectReason') this.errors.push(line);
      } catch {
        // not a JSON line
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.send(config);
  }

  static spawn(script: string, config: unknown): LineChild {
    // Thousands of agents persist each Desired (write, fsync, rename, fsync the directory) before
    // acking; real agents each have their own disk, so the simulator must not queue them all on
    // libuv's default four file-system threads.
    const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'test', 'bench', script)], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, UV_THREADPOOL_SIZE: '64' },
    });
    return new LineChild(child, config);
  }

  send(value: unknown): void {
    this.child.stdin!.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }

  async stop(): Promise<void> {
    this.send('stop');
    await this.exited;
  }
}
