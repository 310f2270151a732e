import { createHmac } from 'node:crypto';
import { prepareBundle, renderForCluster } from '@flotilla/render';
import pg from 'pg';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { runCli } from '../../support/run-cli.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const WEB_SPEC = `name: web
namespace: web
targets: [{selector: {matchLabels: {env: prod}}}]
values: {replicas: 2}
overlays:
  - selector: {matchLabels: {region: eu}}
    values: {replicas: 4}
  - selector: {matchLabels: {region: ap}}
    values: {replicas: 9}
`;
const WEB_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: "{{ values.replicas }}", template: {spec: {containers: [{name: web, image: nginx}]}}}
`;
const MONITORING_SPEC = `name: monitoring
namespace: monitoring
targets: [{selector: {}}]
overlays:
  - selector: {matchLabels: {env: dev}}
    patches: [{target: {kind: ConfigMap}, merge: {data: {retention: 1d}}}]
`;
const MONITORING_CM = `apiVersion: v1
kind: ConfigMap
metadata: {name: "prometheus-{{ cluster.name }}"}
data: {retention: 30d, domain: "{{ cluster.vars.domain }}"}
`;

const CLUSTERS = [
  { name: 'prod-eu', labels: { env: 'prod', region: 'eu' }, vars: { domain: 'eu.example.com' } },
  { name: 'prod-us', labels: { env: 'prod', region: 'us' }, vars: { domain: 'us.example.com' } },
  { name: 'dev-eu', labels: { env: 'dev', region: 'eu' }, vars: { domain: 'dev.example.com' } },
];

interface Row {
  bundle: string;
  cluster: string;
  targetHash: string | null;
  desiredHash: string | null;
  desiredGeneration: string | null;
  desiredRevision: string | null;
  removal: string | null;
  reason: string | null;
}

describe('target state from a Git commit', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let sourceId: string;
  let webhookPath: string;
  let webhookSecret: string;
  let firstCommit: string;

  const state = async (): Promise<Map<string, Row>> => {
    const result = await hub.graphql<{ bundleDeployments: { nodes: Row[] } }>(
      '{ bundleDeployments(first: 500) { nodes { bundle cluster targetHash desiredHash desiredGeneration desiredRevision removal reason } } }',
      { token: hub.adminToken },
    );
    expect(result.errors).toBeUndefined();
    return new Map(result.data!.bundleDeployments.nodes.map((row) => [`${row.bundle}@${row.cluster}`, row]));
  };
  const sync = async (): Promise<void> => {
    const result = await hub.graphql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { token: hub.adminToken, variables: { id: sourceId } });
    expect(result.errors).toBeUndefined();
  };
  const expectedHash = async (files: Record<string, string>, cluster: (typeof CLUSTERS)[number]): Promise<string> =>
    renderForCluster(await prepareBundle({ dir: 'x', files: new Map(Object.entries(files)) }), cluster).hash;

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('apps/web/flotilla.yaml', WEB_SPEC);
    await repo.write('apps/web/deployment.yaml', WEB_DEPLOYMENT);
    await repo.write('infra/monitoring/flotilla.yaml', MONITORING_SPEC);
    await repo.write('infra/monitoring/config.yaml', MONITORING_CM);
    await repo.write('README.md', '# fleet\n');
    firstCommit = await repo.commit('first');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    for (const cluster of CLUSTERS) {
      const created = await hub.graphql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', {
        token: hub.adminToken,
        variables: { input: { name: cluster.name, labels: Object.entries(cluster.labels).map(([key, value]) => ({ key, value })), vars: cluster.vars } },
      });
      expect(created.errors).toBeUndefined();
    }
    const added = await hub.graphql<{ addSource: { webhookSecret: string; source: { id: string; webhookPath: string } } }>(
      'mutation($input: AddSourceInput!) { addSource(input: $input) { webhookSecret source { id webhookPath } } }',
      { token: hub.adminToken, variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } } },
    );
    expect(added.errors).toBeUndefined();
    ({ id: sourceId, webhookPath } = added.data!.addSource.source);
    webhookSecret = added.data!.addSource.webhookSecret;
  });

  afterAll(async () => {
    await hub?.close();
    await repo?.destroy();
  });

  it('computes exactly the expected target of every targeted cluster', async () => {
    const rows = await state();
    expect([...rows.keys()].sort()).toEqual(['monitoring@dev-eu', 'monitoring@prod-eu', 'monitoring@prod-us', 'web@prod-eu', 'web@prod-us']);
    for (const cluster of CLUSTERS.filter((c) => c.labels.env === 'prod')) {
      const row = rows.get(`web@${cluster.name}`)!;
      expect(row.targetHash).toBe(await expectedHash({ 'flotilla.yaml': WEB_SPEC, 'deployment.yaml': WEB_DEPLOYMENT }, cluster));
      expect(row).toMatchObject({ desiredHash: row.targetHash, desiredRevision: firstCommit, removal: null, reason: null });
    }
    for (const cluster of CLUSTERS) {
      expect(rows.get(`monitoring@${cluster.name}`)!.targetHash).toBe(
        await expectedHash({ 'flotilla.yaml': MONITORING_SPEC, 'config.yaml': MONITORING_CM }, cluster),
      );
    }
    const generations = [...rows.values()].map((row) => Number(row.desiredGeneration));
    expect(new Set(generations).size).toBe(generations.length);

    const preview = await hub.graphql<{ preview: { targeted: boolean; hash: string; manifests: { spec: { replicas: number } }[]; diff: string } }>(
      '{ preview(bundle: "web", cluster: "prod-eu") { targeted hash manifests diff } }',
      { token: hub.adminToken },
    );
    expect(preview.data?.preview).toMatchObject({ targeted: true, hash: rows.get('web@prod-eu')!.desiredHash });
    expect(preview.data!.preview.manifests[0]!.spec.replicas).toBe(4);
    expect(preview.data!.preview.diff).not.toMatch(/^[-+] /m);
  });

  it('renders with `flotilla render` exactly what the hub stored, for the same inputs', async () => {
    const rows = await state();
    for (const cluster of CLUSTERS) {
      const args = ['render', `${repo.dir}/infra/monitoring`, '--cluster', cluster.name, '--var', `domain=${cluster.vars.domain}`];
      for (const [key, value] of Object.entries(cluster.labels)) args.push('--label', `${key}=${value}`);
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(rows.get(`monitoring@${cluster.name}`)!.desiredHash);
    }
  });

  it('bumps the generation only on the clusters a changed overlay affects', async () => {
    const before = await state();
    await repo.write('apps/web/flotilla.yaml', WEB_SPEC.replace('values: {replicas: 4}', 'values: {replicas: 5}'));
    const second = await repo.commit('more replicas in eu');
    await sync();
    const after = await state();
    const changed = [...after.keys()].filter((key) => after.get(key)!.desiredGeneration !== before.get(key)!.desiredGeneration);
    expect(changed).toEqual(['web@prod-eu']);
    expect(Number(after.get('web@prod-eu')!.desiredGeneration)).toBeGreaterThan(Math.max(...[...before.values()].map((r) => Number(r.desiredGeneration))));
    expect(after.get('web@prod-eu')!.desiredRevision).toBe(second);
    expect(after.get('web@prod-us')!.desiredRevision).toBe(firstCommit);
  });

  it('leaves every generation alone for a commit that changes nothing a cluster gets', async () => {
    const before = await state();
    await repo.write('README.md', '# fleet, now documented\n');
    await repo.write('apps/web/flotilla.yaml', WEB_SPEC.replace('values: {replicas: 4}', 'values: {replicas: 5}').replace('replicas: 9', 'replicas: 10'));
    await repo.commit('docs, and an overlay for a region with no clusters');
    await sync();
    const after = await state();
    for (const [key, row] of after) expect(row.desiredGeneration).toBe(before.get(key)!.desiredGeneration);
  });

  it('follows a push webhook without waiting for the poll interval', async () => {
    const before = await state();
    await repo.write('apps/web/deployment.yaml', WEB_DEPLOYMENT.replace('image: nginx', 'image: nginx:1.27'));
    const pushed = await repo.commit('pin the image');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: pushed });
    const response = await fetch(`${hub.url}${webhookPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`,
      },
      body,
    });
    expect(response.status).toBeLessThan(300);
    const deadline = Date.now() + 20_000;
    let rows = await state();
    while (rows.get('web@prod-us')!.desiredRevision !== pushed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await state();
    }
    expect(rows.get('web@prod-us')!.desiredRevision).toBe(pushed);
    expect(rows.get('web@prod-us')!.desiredGeneration).not.toBe(before.get('web@prod-us')!.desiredGeneration);
    expect(rows.get('monitoring@prod-us')!.desiredGeneration).toBe(before.get('monitoring@prod-us')!.desiredGeneration);
  });

  it('stays responsive while a hostile template runs, and reports it on the bundle deployment', async () => {
    await repo.write('apps/web/loop.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loop}\ndata: {x: "{% for i in (1..1000000000) %}{% endfor %}"}\n');
    await repo.commit('a template that never ends');
    const syncing = sync();
    const probes: number[] = [];
    let done = false;
    void syncing.then(() => (done = true));
    while (!done) {
      const started = performance.now();
      expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
      probes.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await syncing;
    expect(Math.max(...probes)).toBeLessThan(1_000);
    const rows = await state();
    expect(rows.get('web@prod-eu')!.reason).toMatch(/apps\/web\/loop\.yaml:1: ConfigMap loop: data\.x: .*(limit|exceeded|took longer)/i);
    await repo.remove('apps/web/loop.yaml');
    await repo.commit('remove the loop');
    await sync();
    expect((await state()).get('web@prod-eu')!.reason).toBeNull();
  });

  it('keeps the last good state of one cluster when its render fails, and says why', async () => {
    const before = await state();
    const vars = await hub.graphql('mutation { setClusterVars(name: "prod-us", vars: {}) { name } }', { token: hub.adminToken });
    expect(vars.errors).toBeUndefined();
    const after = await state();
    expect(after.get('monitoring@prod-us')).toMatchObject({
      desiredHash: before.get('monitoring@prod-us')!.desiredHash,
      desiredGeneration: before.get('monitoring@prod-us')!.desiredGeneration,
      reason: expect.stringContaining('infra/monitoring/config.yaml:1: ConfigMap prometheus-{{ cluster.name }}: data.domain: undefined variable: cluster.vars.domain'),
    });
    await hub.graphql('mutation { setClusterVars(name: "prod-us", vars: {domain: "us.example.com"}) { name } }', { token: hub.adminToken });
    expect((await state()).get('monitoring@prod-us')).toMatchObject({ reason: null, desiredGeneration: before.get('monitoring@prod-us')!.desiredGeneration });
  });

  it('reports an invalid spec with file and line, and keeps the bundle’s last good state', async () => {
    const before = await state();
    await repo.write('apps/web/flotilla.yaml', `${WEB_SPEC}aply: {prune: false}\n`);
    const broken = await repo.commit('typo');
    await sync();
    const bundles = await hub.graphql<{ bundles: { nodes: { name: string; error: string | null; errorRevision: string | null; goodRevision: string }[] } }>(
      'query($id: ID!) { bundles(sourceId: $id) { nodes { name error errorRevision goodRevision } } }',
      { token: hub.adminToken, variables: { id: sourceId } },
    );
    const web = bundles.data!.bundles.nodes.find((bundle) => bundle.name === 'web')!;
    expect(web.error).toBe('apps/web/flotilla.yaml:10:1: unknown field "aply"');
    expect(web.errorRevision).toBe(broken);
    expect(web.goodRevision).not.toBe(broken);
    const after = await state();
    for (const [key, row] of after) expect(row.desiredGeneration).toBe(before.get(key)!.desiredGeneration);
    await repo.write('apps/web/flotilla.yaml', WEB_SPEC.replace('values: {replicas: 4}', 'values: {replicas: 5}'));
    await repo.commit('fix the typo');
    await sync();
  });

  it('reports two bundles rendering the same object on both, keeping their last good states', async () => {
    await repo.write('infra/monitoring/extra.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web}\n');
    await repo.commit('monitoring renders web/web too');
    await sync();
    const rows = await state();
    expect(rows.get('web@prod-eu')!.reason).toBe('conflict: Deployment web/web is also rendered by bundle "monitoring"');
    expect(rows.get('monitoring@prod-eu')!.reason).toBe('conflict: Deployment web/web is also rendered by bundle "web"');
    expect(rows.get('monitoring@dev-eu')!.reason).toBeNull();
    await repo.remove('infra/monitoring/extra.yaml');
    await repo.commit('undo');
    await sync();
    expect((await state()).get('web@prod-eu')!.reason).toBeNull();
  });

  it('turns a cluster that is no longer targeted into a removal tombstone', async () => {
    const before = await state();
    await hub.graphql('mutation { setClusterLabels(name: "prod-us", labels: [{key: "env", value: "staging"}]) { name } }', { token: hub.adminToken });
    const row = (await state()).get('web@prod-us')!;
    expect(row).toMatchObject({ removal: 'delete', targetHash: null, desiredHash: before.get('web@prod-us')!.desiredHash });
    expect(Number(row.desiredGeneration)).toBeGreaterThan(Number(before.get('web@prod-us')!.desiredGeneration));
  });

  it('holds the removal of a bundle deleted from Git until a person approves it', async () => {
    await repo.remove('infra/monitoring');
    await repo.commit('drop monitoring');
    await sync();
    let rows = await state();
    for (const cluster of CLUSTERS) expect(rows.get(`monitoring@${cluster.name}`)!.removal).toBeNull();
    const pending = await hub.graphql<{ approvals: { nodes: { id: string; kind: string; bundleName: string; details: string }[] } }>(
      '{ approvals { nodes { id kind bundleName details } } }',
      { token: hub.adminToken },
    );
    const approval = pending.data!.approvals.nodes.find((a) => a.bundleName === 'monitoring')!;
    expect(approval).toMatchObject({ kind: 'mass-removal', details: expect.stringContaining('would leave 3 of its 3 clusters') });
    const approved = await hub.graphql('mutation($id: ID!) { approveChange(id: $id) { decision } }', { token: hub.adminToken, variables: { id: approval.id } });
    expect(approved.errors).toBeUndefined();
    rows = await state();
    for (const cluster of CLUSTERS) expect(rows.get(`monitoring@${cluster.name}`)!.removal).toBe('delete');
  });

  it('holds a revision with no bundles at all', async () => {
    const before = await state();
    await repo.remove('apps');
    await repo.commit('everything gone');
    await sync();
    const after = await state();
    for (const [key, row] of after) expect(row).toEqual(before.get(key));
    const pending = await hub.graphql<{ approvals: { nodes: { kind: string }[] } }>('{ approvals { nodes { kind } } }', { token: hub.adminToken });
    expect(pending.data!.approvals.nodes.map((a) => a.kind)).toContain('empty-revision');
  });

  it('stores each render once, compressed and encrypted', async () => {
    const client = new pg.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT hash, content, plain_bytes FROM rendered_contents');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect((row.content as Buffer).subarray(0, 4).toString()).toBe('FLE1');
        expect((row.content as Buffer).includes(Buffer.from('Deployment'))).toBe(false);
      }
      const desired = await client.query('SELECT DISTINCT desired_hash FROM bundle_deployments WHERE desired_hash IS NOT NULL');
      const stored = new Set(rows.map((row) => row.hash));
      for (const { desired_hash } of desired.rows) expect(stored.has(desired_hash)).toBe(true);
    } finally {
      await client.end();
    }
  });
});
