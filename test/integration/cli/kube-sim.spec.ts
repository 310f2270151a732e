import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('flotilla kube-sim', () => {
  it('runs N simulated clusters that kubectl can use, until SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-kube-sim-cli-'));
    const child = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'cli', 'src', 'main.ts'), 'kube-sim', '--clusters', '2', '--dir', dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (stdout.split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      const kubeconfigs = lines.map((line) => /KUBECONFIG=(\S+)$/.exec(line)![1]!);
      expect(kubeconfigs[0]).not.toBe(kubeconfigs[1]);
      if (hasKubectl()) {
        for (const kubeconfig of kubeconfigs) {
          const namespaces = execFileSync('kubectl', ['get', 'ns', '-o', 'name'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
          expect(namespaces).toContain('namespace/default');
        }
      } else {
        console.warn('kubectl is not on the PATH: checked the kubeconfig paths only');
      }
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
