import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BundleReport } from '@flotilla/agent-core';
import { deployment, desired, ns, policy, reportMatching, startHarness, TRANSPORTS, until, type Harness, type Transport } from './agent-core.harness.js';

const run = promisify(execFile);
const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'app', name: 'web' };
const replicasOf = async (h: Harness): Promise<number | undefined> => ((await h.client.get(web))?.['spec'] as { replicas?: number } | undefined)?.replicas;
const driftOn = (path: string) => (r: BundleReport) => r.resources.some((x) => x.drift.some((d) => d.path === path));
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'app' }, stringData: { password: 'hunter2' } };

/** `kubectl scale` for real over HTTPS (manager `kubectl`, scale subresource); the same Update in memory. */
async function scale(h: Harness, transport: Transport, replicas: number, manager = 'kubectl'): Promise<void> {
  if (transport === 'https' && manager === 'kubectl') {
    await run('kubectl', ['scale', '-n', 'app', 'deployment/web', `--replicas=${replicas}`], { env: { ...process.env, KUBECONFIG: h.kubeconfigPath } });
    return;
  }
  const type = h.cluster.resource('apps', 'v1', 'deployments');
  h.cluster.patch({ type, namespace: 'app', name: 'web' }, 'merge', { spec: { replicas } }, { fieldManager: manager });
}

describe.each(TRANSPORTS)('drift (%s)', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  async function deploy(p = policy(), extra: object[] = []): Promise<void> {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 2), ...(extra as never[])], { policy: p }));
    await reportMatching(h, 'Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
    h.reports.length = 0;
  }

  it('correct: a kubectl scale is drift within 2 s, with path, both values and manager, and is taken back', async () => {
    await deploy();
    const started = Date.now();
    await scale(h, transport, 5);
    const report = await reportMatching(h, 'the drift report', driftOn('/spec/replicas'), 2000);
    expect(Date.now() - started).toBeLessThan(2000);
    const field = report.resources.find((r) => r.kind === 'Deployment')!.drift[0];
    expect(field).toEqual({ path: '/spec/replicas', liveJson: '5', desiredJson: '2', manager: 'kubectl' });
    expect(report.drift.driftedFields).toBe(1);
    await until(async () => (await replicasOf(h)) === 2, 'replicas taken back to 2', 2000);
    await reportMatching(h, 'drift cleared', (r) => r.drift.driftedFields === 0 && h.reports.indexOf(r) > h.reports.indexOf(report));
  });

  it('report: drift is reported and left alone, a resync included', async () => {
    await deploy(policy({ drift: 'report' }));
    await scale(h, transport, 4);
    await reportMatching(h, 'the drift report', driftOn('/spec/replicas'), 2000);
    h.reconciler.syncNow('app');
    // The worker is serial: once a later edit is reported, the resync has run.
    await scale(h, transport, 3);
    const later = await reportMatching(h, 'the later drift', (r) => r.resources.some((x) => x.drift.some((d) => d.liveJson === '3')), 2000);
    expect(later.phase).toBe('Applied');
    expect(await replicasOf(h)).toBe(3);
  });

  it.each(['report', 'correct'] as const)('ignore paths are neither drift nor taken back (%s mode)', async (mode) => {
    await deploy(policy({ drift: mode, ignore: [{ target: { kind: 'Deployment' }, paths: ['/spec/replicas'] }] }));
    await scale(h, transport, 6);
    // A later edit of a declared field is drift: once it is reported, the checks after the scale ran.
    const type = h.cluster.resource('apps', 'v1', 'deployments');
    h.cluster.patch({ type, namespace: 'app', name: 'web' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:9' }] } } } }, { fieldManager: 'kubectl-edit' });
    await reportMatching(h, 'the image drift', driftOn('/spec/template/spec/containers/0/image'), 2000);
    const image = async (): Promise<string> => ((await h.client.get(web))!['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image;
    if (mode === 'correct') await until(async () => (await image()) === 'web:1', 'the image taken back', 2000);
    else expect(await image()).toBe('web:9');
    expect(h.reports.some(driftOn('/spec/replicas'))).toBe(false);
    expect(await replicasOf(h)).toBe(6);
  });

  (transport === 'https' ? it : it.skip)('a real kubectl edit is drift with both values, taken back in correct mode', async () => {
    await deploy();
    const env = { ...process.env, KUBECONFIG: h.kubeconfigPath, KUBE_EDITOR: 'sed -i s/web:1/web:7/' };
    await run('kubectl', ['edit', '-n', 'app', 'deployment/web'], { env });
    const report = await reportMatching(h, 'the kubectl edit drift', driftOn('/spec/template/spec/containers/0/image'), 2000);
    expect(report.resources.find((r) => r.kind === 'Deployment')!.drift[0]).toEqual({
      path: '/spec/template/spec/containers/0/image', liveJson: '"web:7"', desiredJson: '"web:1"', manager: 'kubectl-edit',
    });
    await until(async () => ((await h.client.get(web))!['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image === 'web:1', 'the edit taken back', 2000);
  });

  it('a conflict with a manager not on the takeover list is reported, not forced', async () => {
    await deploy();
    await scale(h, transport, 7, 'custom-autoscaler');
    const report = await reportMatching(h, 'the drift report', driftOn('/spec/replicas'), 2000);
    expect(report.resources.find((r) => r.kind === 'Deployment')!.drift[0]).toMatchObject({ manager: 'custom-autoscaler', liveJson: '7', desiredJson: '2' });
    const notForced = await reportMatching(h, 'the conflict named', (r) => r.resources.some((x) => x.message.includes('not forced')));
    expect(notForced.resources.find((r) => r.kind === 'Deployment')!.message).toContain('custom-autoscaler');
    expect(await replicasOf(h)).toBe(7);
  });

  it('a deleted managed object is drift and comes back in correct mode', async () => {
    await deploy();
    const uid = (await h.client.get(web))!.metadata.uid;
    await h.client.delete(web);
    await reportMatching(h, 'the deletion as drift', driftOn('/'), 2000);
    const back = await until(async () => {
      const live = await h.client.get(web);
      return live && live.metadata.uid !== uid ? live : undefined;
    }, 'the Deployment re-created', 2000);
    expect(back.metadata.labels?.['flotilla.dev/bundle']).toBe('app');
  });

  it('Secret drift is reported redacted', async () => {
    await deploy(policy({ drift: 'report' }), [secret]);
    const type = h.cluster.resource('', 'v1', 'secrets');
    h.cluster.patch({ type, namespace: 'app', name: 'creds' }, 'merge', { data: { password: Buffer.from('s3cr3t-live').toString('base64') } }, { fieldManager: 'kubectl-edit' });
    const report = await reportMatching(h, 'the secret drift', driftOn('/data/password'), 2000);
    expect(report.resources.find((r) => r.kind === 'Secret')!.drift[0]).toMatchObject({ liveJson: '"(changed)"', desiredJson: '"(changed)"' });
    const all = JSON.stringify(h.reports, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const leaked of ['hunter2', 's3cr3t-live', Buffer.from('hunter2').toString('base64'), Buffer.from('s3cr3t-live').toString('base64')]) expect(all).not.toContain(leaked);
  });

  it('a field changed back again and again is reported as a fight and correction backs off', async () => {
    await deploy();
    for (let i = 0; i < 4; i++) {
      await until(async () => (await replicasOf(h)) === 2, 'the correction', 3000);
      await scale(h, transport, 10 + i, 'kubectl-edit');
    }
    const fight = await reportMatching(h, 'fighting', (r) => r.drift.fighting, 3000);
    expect(fight.resources.find((r) => r.kind === 'Deployment')!.drift[0]?.path).toBe('/spec/replicas');
  });
});
