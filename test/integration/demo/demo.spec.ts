import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../apps/cli/src/demo/demo-hub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function demo(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'cli', 'src', 'main.ts'), 'demo', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The README's run command, headless: a real fleet converges, and nothing is left running. */
describe('flotilla demo --headless', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-demo-'));
    await chmod(dir, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('brings hub, repository, simulated clusters and real agents to every bundle Healthy, then stops cleanly', async () => {
    const port = String(await freePort());
    const first = await demo(['--headless', '--timeout', '120', '--clusters', '2', '--data-dir', dir, '--http-port', port]);
    expect(first.output).toMatch(/^converged_s=\d+(\.\d)?$/m);
    expect(first.output.trim().split('\n').at(-1)).toMatch(/^converged_s=/);
    expect(first.code).toBe(0);
    const runtime = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'hub', 'postgres.runtime.json'), 'utf8').catch(() => undefined));
    expect(runtime).toBeUndefined(); // the embedded PostgreSQL was stopped with the hub

    // A second run reuses the state: same hub database, same agent identities.
    const again = await demo(['--headless', '--timeout', '120', '--clusters', '2', '--data-dir', dir, '--http-port', port]);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/^converged_s=/m);
  });

  it('refuses bad options with exit code 2', async () => {
    const result = await demo(['--clusters', '99']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('--clusters');
  });
});
