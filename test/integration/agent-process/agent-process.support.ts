import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../apps/cli/src/demo/demo-hub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The agent as its own OS process, started from source as the container starts the build. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** The text of GET /metrics. */
  scrape(): Promise<string>;
}

/** Where the agent finds its hub, cluster and state (the files of its bootstrap Secret). */
export interface AgentProcessOptions {
  readonly hubGrpcPort: number;
  readonly hubRegistrationPort: number;
  readonly hubCaFile: string;
  readonly bootstrapTokenFile: string;
  readonly stateDir: string;
  readonly kubeconfigPath: string;
  /** HOME of the process (a temporary directory of the test). */
  readonly home: string;
  /** More settings, e.g. FLOTILLA_AGENT_IDENTITY_STORE. */
  readonly env?: Record<string, string>;
}

/** The environment the agent runs with (as its install manifest sets it), listening on `httpPort`. */
export function agentEnvironment(options: AgentProcessOptions, httpPort: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: options.home,
    FLOTILLA_AGENT_HTTP_PORT: String(httpPort),
    FLOTILLA_AGENT_BIND_ADDRESS: '127.0.0.1',
    FLOTILLA_HUB_ADDRESS: `127.0.0.1:${options.hubGrpcPort}`,
    FLOTILLA_REGISTRATION_ADDRESS: `127.0.0.1:${options.hubRegistrationPort}`,
    FLOTILLA_TLS_SERVER_NAME: 'localhost',
    FLOTILLA_HUB_CA_FILE: options.hubCaFile,
    FLOTILLA_BOOTSTRAP_TOKEN_FILE: options.bootstrapTokenFile,
    FLOTILLA_AGENT_STATE_DIR: options.stateDir,
    FLOTILLA_KUBECONFIG: options.kubeconfigPath,
    ...options.env,
  };
}

export async function spawnAgent(options: AgentProcessOptions): Promise<AgentProcess> {
  const httpPort = await freePort();
  const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'agent', 'src', 'main.ts')], {
    cwd: root,
    env: agentEnvironment(options, httpPort),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    httpPort,
    output: () => output,
    exited,
    scrape: async () => {
      const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
      return response.text();
    },
  };
}

/**
 * The value of one sample in a Prometheus text exposition, e.g. `sample(text,
 * 'flotilla_agent_applied_resources', {bundle: 'web'})`; undefined when the series is absent.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3]);
  }
  return undefined;
}

/** Polls until `probe` returns a value, failing with `what` (and the last error) at the deadline. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
