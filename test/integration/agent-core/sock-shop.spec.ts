import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliKustomizeBuilder, prepareBundle, renderForCluster } from '@flotilla/render';
import { desired, reportMatching, startHarness, type Harness } from './agent-core.harness.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpus', 'argocd-example-apps', 'sock-shop');

async function filesOf(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(dir, path), await readFile(path, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}

describe('sock-shop through client-node over HTTPS', () => {
  let h: Harness;
  let kustomize: CliKustomizeBuilder | undefined;
  beforeAll(async () => {
    kustomize = await CliKustomizeBuilder.detect();
    if (!kustomize) console.warn('skipping sock-shop: neither kustomize nor kubectl is on the PATH');
    h = await startHarness('https');
  });
  afterAll(async () => {
    await h.close();
  });

  it('renders with @flotilla/render, applies and becomes Healthy', async () => {
    if (!kustomize) return;
    const files = await filesOf(corpus);
    files.set('flotilla.yaml', 'name: sock-shop\n');
    const rendered = renderForCluster(await prepareBundle({ dir: 'sock-shop', files }, { kustomize }), { name: 'sim', labels: {}, vars: {} });
    expect(rendered.manifests.length).toBeGreaterThan(20);
    h.reconciler.desired(desired('sock-shop', 1, rendered.manifests, { policy: rendered.policy, hash: rendered.hash }));
    const healthy = await reportMatching(h, 'sock-shop Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy', 20_000);
    expect(healthy.resources).toHaveLength(rendered.manifests.length);
    expect(healthy.resources.every((r) => r.change === 'created' || r.change === 'unchanged' || r.change === 'configured')).toBe(true);
    expect(healthy.resources.filter((r) => r.kind === 'Deployment').length).toBeGreaterThan(5);
  });
});
