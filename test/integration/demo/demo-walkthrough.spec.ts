import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../../apps/cli/src/demo/demo-hub.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The demo as a person runs it, kept running, with its output collected line by line. */
class RunningDemo {
  readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    let partial = '';
    const take = (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Index of the first line at or after `from` that matches; fails with the output at the deadline. */
  async waitForLine(pattern: RegExp, deadlineMs: number, from = 0): Promise<number> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && pattern.test(line));
      if (index >= 0) return index;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no line matching ${pattern} (exit ${this.child.exitCode}); output:\n${this.lines.slice(-40).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms (last error: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The walkthrough the demo prints, done by a program: the fleet converges, a commit rolls out wave by wave to every
 * cluster, a kubectl change to a report-only bundle is shown as drift and left alone, and one to a correcting bundle is
 * taken back — all through the real hub, real agents and real kubectl against the simulated clusters.
 */
describe('flotilla demo: convergence, a rollout after a commit, drift after kubectl', () => {
  let dir: string;
  let demo: RunningDemo | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-demo-walk-'));
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    await demo?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = (cluster: string, ...args: string[]) =>
    run('kubectl', args, { env: { ...process.env, KUBECONFIG: join(dir, 'clusters', cluster, 'kubeconfig') } }).then((out) => out.stdout.trim());

  it('converges, rolls a commit out canary → europe → rest, reports and corrects drift, and stops cleanly', async () => {
    const port = String(await freePort());
    const args = ['demo', '--headless', '--keep-running', '--timeout', '150', '--clusters', '3', '--data-dir', dir, '--http-port', port];
    demo = new RunningDemo(
      spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'cli', 'src', 'main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await demo.waitForLine(/^converged_s=\d+(\.\d)?$/, 160_000);
    const clusters = ['eu-1', 'eu-2', 'us-1'];
    for (const cluster of clusters) {
      expect(await kubectl(cluster, '-n', 'api', 'get', 'deployment', 'api', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('ghcr.io/example/api:1.0.0');
    }

    // A commit to the example repository, as the demo suggests.
    const repo = join(dir, 'repo');
    const spec = join(repo, 'apps', 'api', 'flotilla.yaml');
    await writeFile(spec, (await readFile(spec, 'utf8')).replace('version: "1.0.0"', 'version: "1.1.0"'));
    const git = (...gitArgs: string[]) => run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@flotilla.invalid', ...gitArgs], { cwd: repo });
    await git('commit', '-qam', 'api 1.1.0');
    const committedAt = demo.lines.length;
    for (const cluster of clusters) {
      await until(`api 1.1.0 on ${cluster}`, 120_000, async () =>
        (await kubectl(cluster, '-n', 'api', 'get', 'deployment', 'api', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')) === 'ghcr.io/example/api:1.1.0' ? true : undefined,
      );
    }
    // The progress lines show the waves in order: the canary (eu-1) first, then Europe (eu-2), then the rest (us-1).
    const canary = await demo.waitForLine(/rollout=api:\w+\(canary\)/, 5_000, committedAt);
    const europe = await demo.waitForLine(/rollout=api:\w+\(europe\)/, 5_000, canary);
    await demo.waitForLine(/rollout=api:\w+\(rest\)/, 5_000, europe);
    await demo.waitForLine(/healthy=9\/9 drifted=0 rollout=api:Succeeded/, 30_000, europe);

    // Report-only drift: shown by the hub, not reverted.
    await kubectl('eu-1', '-n', 'monitoring', 'scale', 'deployment', 'collector', '--replicas=2');
    const drifted = await demo.waitForLine(/ drifted=1 /, 20_000, demo.lines.length);
    expect(demo.lines[drifted]).toMatch(/healthy=9\/9/);
    expect(await kubectl('eu-1', '-n', 'monitoring', 'get', 'deployment', 'collector', '-o', 'jsonpath={.spec.replicas}')).toBe('2');
    // …field by field, as the hub's API tells it.
    const token = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ bundleDeployments(bundle: "monitoring", drifted: true) { nodes { cluster drift { resource path live desired manager } } } }' }),
    });
    const { data } = (await response.json()) as { data: { bundleDeployments: { nodes: { cluster: string; drift: Record<string, string>[] }[] } } };
    expect(data.bundleDeployments.nodes).toEqual([
      { cluster: 'eu-1', drift: [{ resource: 'apps/v1 Deployment monitoring/collector', path: '/spec/replicas', live: '2', desired: '1', manager: 'kubectl' }] },
    ]);

    // Correcting drift: the agent takes the change back to what the bundle declares (3 replicas in Europe).
    await kubectl('eu-2', '-n', 'web', 'scale', 'deployment', 'web', '--replicas=9');
    await until('web scaled back to 3 on eu-2', 20_000, async () =>
      (await kubectl('eu-2', '-n', 'web', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')) === '3' ? true : undefined,
    );

    expect(await demo.stop()).toBe(0);
    await expect(readFile(join(dir, 'hub', 'postgres.runtime.json'), 'utf8')).rejects.toThrow(); // the embedded PostgreSQL stopped too
  }, 360_000);
});
