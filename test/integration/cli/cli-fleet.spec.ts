import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { runCli, startCli } from '../../support/run-cli.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { until } from '../../support/until.js';

const DEPLOYMENT = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: "web:1"}]}}}\n`;

/** `flotilla status`, `bundles`, `bundle-deployments` and `drift` against a hub with a source, bundles and clusters. */
describe('flotilla fleet views (against a running hub)', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let db: pg.Client;
  let home: string;
  let env: Record<string, string>;
  let revision: string;
  const cli = (args: string[]) => runCli(args, env);
  const resources = (driftedFields: number) => [
    {
      group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', change: 'UNCHANGED', health: 'HEALTHY', message: '',
      drift: Array.from({ length: driftedFields }, (_, i) => ({ path: `/spec/template/metadata/labels/l${i}`, liveJson: `"live-${i}"`, desiredJson: `"want-${i}"`, manager: 'kubectl-edit' })),
    },
  ];
  /** What an agent would report: the desired generation applied, with a health and drifted fields. */
  const report = (cluster: string, health: string, driftedFields = 0, phase = 'APPLIED') =>
    db.query(
      `INSERT INTO bundle_statuses (bundle_id, cluster_id, generation, stream, seq, phase, health, drifted_fields, reason, resources, observed_at)
       SELECT d.bundle_id, d.cluster_id, d.desired_generation, 1, 1, $2, $3, $4, $5, $6::jsonb, now()
         FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id WHERE c.name = $1
       ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET generation = EXCLUDED.generation, seq = bundle_statuses.seq + 1, phase = EXCLUDED.phase,
         health = EXCLUDED.health, drifted_fields = EXCLUDED.drifted_fields, reason = EXCLUDED.reason, resources = EXCLUDED.resources, observed_at = EXCLUDED.observed_at`,
      // A hostile agent's reason, with a terminal escape sequence in it; field drift in the shape the ingester stores.
      [cluster, phase, health, driftedFields, phase === 'FAILED' ? 'apply failed: \u001b[2JDeployment web: field is immutable' : '', JSON.stringify(resources(driftedFields))],
    );

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {matchLabels: {env: prod}}}]\n');
    await repo.write('web/deploy.yaml', DEPLOYMENT);
    await repo.write('broken/flotilla.yaml', 'name: broken\ntargets: [{selector: {}}]\ncolour: red\n');
    revision = await repo.commit('v1');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' }, logLevels: [] });
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    home = await mkdtemp(join(tmpdir(), 'flotilla-cli-home-'));
    env = { HOME: home, FLOTILLA_HUB_URL: hub.url, FLOTILLA_TOKEN: hub.adminToken };
    for (const [name, envLabel] of [['prod-a', 'prod'], ['prod-b', 'prod'], ['dev-a', 'dev']]) {
      const created = await hub.graphql('mutation($n: String!, $e: String!) { createCluster(input: {name: $n, labels: [{key: "env", value: $e}]}) { id } }', {
        token: hub.adminToken,
        variables: { n: name, e: envLabel },
      });
      expect(created.errors).toBeUndefined();
    }
    await db.query(`INSERT INTO cluster_connections (cluster_id, state, agent_version, last_seen_at) SELECT id, 'Connected', '0.1.0', now() FROM clusters WHERE name = 'prod-a'`);
    const added = await hub.graphql('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      token: hub.adminToken,
      variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    });
    expect(added.errors).toBeUndefined();
    await until(async () => (await db.query(`SELECT count(*)::int AS n FROM bundle_deployments WHERE desired_generation IS NOT NULL`)).rows[0].n === 2, 'two admitted deployments', 20_000);
    await report('prod-a', 'HEALTHY');
    await report('prod-b', 'DEGRADED', 3);
  });

  afterAll(async () => {
    await db?.end();
    await hub?.close();
    await repo?.destroy();
    await rm(home, { recursive: true, force: true });
  });

  it('summarises the fleet', async () => {
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^HUB {21}${hub.url.replace(/[.]/g, '\\.')} \\(version \\d+\\.\\d+\\.\\d+.*\\)$`, 'm'));
    expect(status.stdout).toMatch(/^CLUSTERS {3,}3 \((Connected 1, Disconnected 2|Disconnected 2, Connected 1)\)$/m);
    expect(status.stdout).toMatch(/^BUNDLE DEPLOYMENTS {3,}2 \(APPLIED 2\)$/m);
    expect(status.stdout).toMatch(/^HEALTH {3,}(DEGRADED 1, HEALTHY 1|HEALTHY 1, DEGRADED 1)$/m);
    expect(status.stdout).toMatch(/^DRIFTED {3,}1$/m);
    expect(status.stdout).toMatch(new RegExp(`^SOURCE {3}REVISION {3}FETCHED {3}ERROR\\nfleet {4}${revision.slice(0, 7)} {4}\\d+s {3,}<none>$`, 'm'));

    const json = JSON.parse((await cli(['status', '-o', 'json'])).stdout) as { clusters: number; drifted: number; sources: { name: string; revision: string }[] };
    expect(json).toMatchObject({ clusters: 3, drifted: 1, sources: [{ name: 'fleet', revision }] });
  });

  it('lists bundles with their state and error', async () => {
    const table = await cli(['bundles', 'list']);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(rows[0]).toEqual(['NAME', 'SOURCE', 'PATH', 'REVISION', 'STATUS', 'UPDATED']);
    expect(rows.slice(1).map((row) => row.slice(0, 5))).toEqual([
      ['broken', 'fleet', 'broken', '<none>', 'Error'],
      ['web', 'fleet', 'web', revision.slice(0, 7), 'Ready'],
    ]);
    const wide = await cli(['bundles', 'list', '-o', 'wide', '--search', 'brok']);
    expect(wide.stdout).toMatch(/^broken .*colour.*$/m);
    expect(wide.stdout).not.toMatch(/^web /m);
    expect((await cli(['bundles', 'list', '--source', 'fleet', '-o', 'name'])).stdout).toBe('bundle/broken\nbundle/web\n');
    const unknownSource = await cli(['bundles', 'list', '--source', 'nope']);
    expect(unknownSource).toMatchObject({ code: 1, stderr: 'flotilla: --source: the hub has no source named "nope"\n' });
  });

  it('lists bundle deployments, filtered by bundle, cluster, phase, health and drift', async () => {
    const table = await cli(['bundle-deployments', 'list']);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(rows[0]).toEqual(['BUNDLE', 'CLUSTER', 'PHASE', 'HEALTH', 'DRIFT', 'GENERATION', 'REVISION', 'UPDATED', 'REASON']);
    expect(rows.slice(1).map((row) => [...row.slice(0, 5), row[6]])).toEqual([
      ['web', 'prod-a', 'APPLIED', 'HEALTHY', '0', revision.slice(0, 7)],
      ['web', 'prod-b', 'APPLIED', 'DEGRADED', '3', revision.slice(0, 7)],
    ]);
    const names = async (...args: string[]) => (await cli(['bd', 'list', '-o', 'name', ...args])).stdout;
    expect(await names('--cluster', 'prod-b')).toBe('bundledeployment/web/prod-b\n');
    expect(await names('--health', 'healthy')).toBe('bundledeployment/web/prod-a\n');
    expect(await names('--drifted')).toBe('bundledeployment/web/prod-b\n');
    expect(await names('--no-drifted')).toBe('bundledeployment/web/prod-a\n');
    expect(await names('--phase', 'FAILED')).toBe('');
    expect(await names('--bundle', 'broken')).toBe('');

    const json = JSON.parse((await cli(['bundle-deployments', 'list', '--cluster', 'prod-a', '-o', 'json'])).stdout) as { items: Record<string, unknown>[] };
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({ bundle: 'web', cluster: 'prod-a', phase: 'APPLIED', health: 'HEALTHY', desiredRevision: revision });
    expect(json.items[0]!.desiredGeneration).toMatch(/^\d+$/);

    const badPhase = await cli(['bundle-deployments', 'list', '--phase', 'done']);
    expect(badPhase.code).toBe(2);
    expect(badPhase.stderr).toContain('--phase: expected one of WAITING, APPLYING, APPLIED, FAILED, REMOVING, REMOVED, SUSPENDED, NONE, got "done"');
  });

  it('shows drift', async () => {
    const drift = await cli(['drift']);
    expect(drift.code).toBe(0);
    expect(drift.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/).slice(0, 7))).toEqual([
      ['BUNDLE', 'CLUSTER', 'RESOURCE', 'PATH', 'LIVE', 'DESIRED', 'MANAGER'],
      ...[0, 1, 2].map((i) => ['web', 'prod-b', 'apps/v1 Deployment web/web', `/spec/template/metadata/labels/l${i}`, `"live-${i}"`, `"want-${i}"`, 'kubectl-edit']),
    ]);
    const yaml = parseAllDocuments((await cli(['drift', '-o', 'yaml'])).stdout)[0]!.toJS() as { items: { cluster: string; driftedFields: number }[] };
    expect(yaml.items).toEqual([expect.objectContaining({ cluster: 'prod-b', driftedFields: 3 })]);
    await report('prod-b', 'HEALTHY', 0);
    expect(await cli(['drift'])).toMatchObject({ code: 0, stdout: '', stderr: 'No drift: every bundle deployment matches its declared state.\n' });
  });

  it('shows the history of one bundle deployment, newest first, with the agent’s reasons made safe', async () => {
    const transitions = [
      ['APPLYING', 'PROGRESSING', '', 30],
      ['APPLIED', 'HEALTHY', '', 20],
      ['APPLIED', 'DEGRADED', 'Deployment web: \u001b[2JProgressDeadlineExceeded', 10],
    ] as const;
    for (const [phase, health, reason, minutesAgo] of transitions) {
      await db.query(
        `INSERT INTO bundle_status_history (bundle_id, cluster_id, generation, phase, health, reason, recorded_at)
         SELECT d.bundle_id, d.cluster_id, d.desired_generation, $2, $3, $4, now() - $5 * interval '1 minute'
           FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id JOIN bundles b ON b.id = d.bundle_id WHERE c.name = $1 AND b.name = 'web'`,
        ['prod-b', phase, health, reason, minutesAgo],
      );
    }
    const generation = (await db.query(`SELECT d.desired_generation::text AS g FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id WHERE c.name = 'prod-b'`)).rows[0].g as string;

    const table = await cli(['bundle-deployments', 'history', 'web', 'prod-b']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const rows = table.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(rows[0]).toEqual(['RECORDED', 'AGE', 'GENERATION', 'PHASE', 'HEALTH', 'REASON']);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual([
      ['10m', generation, 'APPLIED', 'DEGRADED', 'Deployment web: \\x1b[2JProgressDeadlineExceeded'],
      ['20m', generation, 'APPLIED', 'HEALTHY', '<none>'],
      ['30m', generation, 'APPLYING', 'PROGRESSING', '<none>'],
    ]);
    expect(Date.parse(rows[1]![0]!)).toBeGreaterThan(Date.parse(rows[2]![0]!));

    const limited = await cli(['bd', 'history', 'web', 'prod-b', '--limit', '2']);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(limited.stderr).toBe('(2 of 3 changes; --limit shows more)\n');
    const json = JSON.parse((await cli(['bd', 'history', 'web', 'prod-b', '-o', 'json'])).stdout) as { items: Record<string, unknown>[] };
    expect(json.items.map((item) => [item.phase, item.health])).toEqual([['APPLIED', 'DEGRADED'], ['APPLIED', 'HEALTHY'], ['APPLYING', 'PROGRESSING']]);
    expect(json.items[0]).toMatchObject({ generation, reason: 'Deployment web: \u001b[2JProgressDeadlineExceeded' });

    expect(await cli(['bd', 'history', 'web', 'prod-a'])).toMatchObject({ code: 0, stdout: '', stderr: 'No status recorded yet for bundle "web" on cluster "prod-a".\n' });
    for (const [bundle, cluster] of [['web', 'dev-a'], ['web', 'nope'], ['nope', 'prod-a']]) {
      expect(await cli(['bd', 'history', bundle!, cluster!])).toMatchObject({ code: 1, stderr: `flotilla: bundle "${bundle}" has no deployment on cluster "${cluster}"\n` });
    }
    expect((await cli(['bd', 'history', 'web', 'prod-b', '--limit', '0'])).code).toBe(2);
  });

  it('suspends and resumes a bundle on one cluster', async () => {
    expect(await cli(['bundles', 'suspend', 'web', '--cluster', 'prod-a'])).toMatchObject({ code: 0, stdout: 'bundle/web suspended on cluster/prod-a\n' });
    expect(await cli(['bundles', 'suspend', 'web', '--cluster', 'prod-a'])).toMatchObject({ code: 0, stdout: 'bundle/web was already suspended on cluster/prod-a\n' });
    expect(await cli(['bundles', 'resume', 'web', '--cluster', 'prod-a'])).toMatchObject({ code: 0, stdout: 'bundle/web resumed on cluster/prod-a\n' });
    expect(await cli(['bundles', 'resume', 'web', '--cluster', 'prod-a'])).toMatchObject({ code: 0, stdout: 'bundle/web had no suspension to lift on cluster/prod-a\n' });
    const unknown = await cli(['bundles', 'suspend', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^flotilla: the hub refused: .*nope.* \([A-Z_]+\)$/m);
  });

  it('watches bundle deployments until Ctrl-C, printing each change of state once', async () => {
    // Earlier tests moved prod-a to newer generations: report those first, so that the report below repeats it.
    await report('prod-a', 'HEALTHY');
    const watch = startCli(['bundle-deployments', 'list', '--watch', '--bundle', 'web'], env);
    try {
      await watch.waitForStdout(/^BUNDLE .*\n(web .*\n){2}$/);
      await report('prod-a', 'HEALTHY');
      await report('prod-b', 'DEGRADED', 0, 'FAILED');
      const out = await watch.waitForStdout(/^web {3,}prod-b {3,}FAILED {3,}DEGRADED .*apply failed: \\x1b\[2JDeployment web: field is immutable$/m);
      expect(out).not.toContain(String.fromCharCode(27));
      // prod-a reported the same state again (a newer observedAt only): not a change.
      expect(out.match(/^web {3,}prod-a /gm)).toHaveLength(1);
    } finally {
      watch.child.kill('SIGINT');
    }
    expect(await watch.exited).toBe(130);
  });

  it('creates, lists and revokes API tokens through the hub', async () => {
    const created = await cli(['api-token', 'create', '--role', 'viewer', '--name', 'dashboards']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^flt_\S+$/);
    expect(created.stderr).toMatch(/^created viewer token "dashboards" \(id [0-9a-f-]{36}\); the secret is shown once:$/m);
    expect((await runCli(['status'], { ...env, FLOTILLA_TOKEN: token })).code).toBe(0);

    const listed = await cli(['api-token', 'list']);
    expect(listed.stdout).toMatch(/^ID {3,}NAME {3,}ROLE {3,}PREFIX {3,}STATE {3,}CREATED BY {3,}LAST USED {3,}AGE$/m);
    const row = listed.stdout.split('\n').find((line) => line.includes(' dashboards '))!.split(/\s{3,}/);
    expect(row.slice(1, 5)).toEqual(['dashboards', 'viewer', `${token.slice(0, row[3]!.length - 1)}…`, 'active']);
    expect(listed.stdout).not.toContain(token);

    expect(await cli(['api-token', 'revoke', row[0]!])).toMatchObject({ code: 0, stdout: `api-token/${row[0]} ("dashboards") revoked\n` });
    expect((await runCli(['status'], { ...env, FLOTILLA_TOKEN: token })).code).toBe(3);
    expect((await cli(['api-token', 'create', '--role', 'root', '--name', 'x'])).code).toBe(2);
  });

  it('lists a change held by the safety valve and rejects it', async () => {
    expect(await cli(['approvals', 'list'])).toMatchObject({ code: 0, stdout: '', stderr: 'No changes waiting for a decision.\n' });
    // Retargeting web away from both of its clusters is a mass removal: it waits for a person.
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {matchLabels: {env: nowhere}}}]\n');
    const sha = await repo.commit('retarget');
    const sourceId = (await hub.graphql<{ sources: { nodes: { id: string }[] } }>('{ sources(first: 1) { nodes { id } } }', { token: hub.adminToken })).data!.sources.nodes[0]!.id;
    await hub.graphql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { token: hub.adminToken, variables: { id: sourceId } });
    let listed = await cli(['approvals', 'list']);
    const deadline = Date.now() + 20_000;
    while (!listed.stdout.includes('mass-removal') && Date.now() < deadline) listed = await cli(['approvals', 'list']);
    const rows = listed.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(rows[0]).toEqual(['ID', 'KIND', 'BUNDLE', 'REVISION', 'DECISION', 'AGE', 'DETAILS']);
    expect(rows[1]!.slice(1, 5)).toEqual(['mass-removal', 'web', sha.slice(0, 7), 'pending']);

    expect(await cli(['approvals', 'reject', rows[1]![0]!])).toMatchObject({ code: 0, stdout: `approval/${rows[1]![0]} rejected\n` });
    expect((await cli(['approvals', 'list'])).stdout).toBe('');
    expect((await cli(['approvals', 'list', '--all', '-o', 'json'])).stdout).toContain('"decision": "rejected"');
    expect((await cli(['approvals', 'approve', 'x'])).code).toBe(2);
    // Still held: web stays on both clusters.
    expect((await cli(['bd', 'list', '--bundle', 'web', '-o', 'name'])).stdout).toBe('bundledeployment/web/prod-a\nbundledeployment/web/prod-b\n');
  });
});
