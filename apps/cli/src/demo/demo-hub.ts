import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli.error.js';

/** A hub process started for the demo, and how to reach it. */
export interface DemoHub {
  readonly url: string;
  readonly grpcPort: number;
  readonly registrationPort: number;
  readonly token: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The hub's entry point next to this file: the build output, or the sources when run from them. */
function hubCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromSource = import.meta.url.endsWith('.ts');
  const root = join(here, ...Array(fromSource ? 4 : 5).fill('..'));
  return fromSource
    ? ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'hub', 'src', 'main.ts')]
    : [join(root, 'dist', 'apps', 'hub', 'src', 'main.js')];
}

/**
 * Starts the hub as its own process (as it runs in production) on the embedded PostgreSQL of the
 * demo's data directory, with its log in a file, and waits until it is ready.
 */
export async function startDemoHub(dataDir: string, httpPort: number, startTimeoutMs = 120_000): Promise<DemoHub> {
  const [grpcPort, registrationPort] = [await freePort(), await freePort()];
  const tokenFile = join(dataDir, 'admin-token');
  const logFile = join(dataDir, 'hub.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, hubCommand(), {
    env: {
      ...process.env,
      FLOTILLA_ENV: 'development',
      FLOTILLA_DATA_DIR: join(dataDir, 'hub'),
      FLOTILLA_BIND_ADDRESS: '127.0.0.1',
      FLOTILLA_HTTP_PORT: String(httpPort),
      FLOTILLA_GRPC_PORT: String(grpcPort),
      FLOTILLA_REGISTRATION_PORT: String(registrationPort),
      FLOTILLA_AGENT_HUB_ADDRESS: `localhost:${grpcPort}`,
      FLOTILLA_AGENT_REGISTRATION_ADDRESS: `localhost:${registrationPort}`,
      FLOTILLA_GIT_ALLOW_FILE_URLS: 'true',
      FLOTILLA_SOURCE_POLL_INTERVAL_S: '2',
      FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '2000',
      FLOTILLA_INITIAL_ADMIN_TOKEN_FILE: tokenFile,
      FLOTILLA_LOG_LEVEL: 'log',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches the demo, which stops the hub in order.
    detached: true,
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new CliError(`the hub exited during start (code ${child.exitCode}); see ${logFile}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new CliError(`the hub was not ready within ${startTimeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const token = (await readFile(tokenFile, 'utf8').catch(() => '')).trim();
  if (!token) throw new CliError(`no admin token in ${tokenFile}: reset the demo with --reset`);
  return {
    url,
    grpcPort,
    registrationPort,
    token,
    logFile,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
