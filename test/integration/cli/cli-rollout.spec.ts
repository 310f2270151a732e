import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { runCli, startCli } from '../../support/run-cli.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { reportAsAgents } from '../../support/simulated-agents.js';
import { until as pollUntil } from '../../support/until.js';

const SPEC = `name: web
namespace: web
targets: [{selector: {matchLabels: {env: prod}}}]
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: rest, maxConcurrent: 50%, approval: true}
  bake: 1500ms
  progressDeadline: 60s
  maxFailures: 0
  onFailure: pause
`;
const DEPLOYMENT = (version: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: "web:${version}"}]}}}\n`;

interface Rollout {
  id: string;
  phase: string;
  revision: string;
}

/** `flotilla rollout …` against a hub running a real rollout; agents are simulated by status rows. */
describe('flotilla rollout (against a running hub)', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let db: pg.Client;
  let home: string;
  let env: Record<string, string>;
  let sourceId: string;
  let simulating = true;
  let simulation: Promise<void>;
  const cli = (args: string[]) => runCli(args, env);
  const newest = async (): Promise<Rollout | undefined> =>
    (await hub.graphql<{ rollouts: { nodes: Rollout[] } }>('{ rollouts(bundle: "web", first: 1) { nodes { id phase revision } } }', { token: hub.adminToken })).data
      ?.rollouts.nodes[0];
  /** Polls with the shared `until`; a timeout also shows the newest state. */
  const until = (check: () => Promise<boolean>, what: string, timeoutMs = 30_000) =>
    pollUntil(check, what, timeoutMs, { detail: async () => `: ${JSON.stringify(await newest())}` });
  /** Every agent reports its desired generation Applied and Healthy, as real agents would once they applied it. */
  const simulateAgents = async () => {
    while (simulating) {
      await reportAsAgents((sql, parameters) => db.query(sql, parameters));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const commit = async (version: string) => {
    await repo.write('web/deploy.yaml', DEPLOYMENT(version));
    const sha = await repo.commit(`v${version}`);
    const synced = await hub.graphql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { token: hub.adminToken, variables: { id: sourceId } });
    expect(synced.errors).toBeUndefined();
    await until(async () => (await newest())?.revision === sha, `a rollout of ${sha}`);
    return (await newest())!;
  };

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', SPEC);
    await repo.write('web/deploy.yaml', DEPLOYMENT('1'));
    await repo.commit('v1');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' }, logLevels: [] });
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
    home = await mkdtemp(join(tmpdir(), 'flotilla-cli-home-'));
    env = { HOME: home, FLOTILLA_HUB_URL: hub.url, FLOTILLA_TOKEN: hub.adminToken };
    for (let i = 0; i < 4; i += 1) {
      const labels = [{ key: 'env', value: 'prod' }, ...(i === 0 ? [{ key: 'canary', value: 'true' }] : [])];
      const created = await hub.graphql('mutation($input: CreateClusterInput!) { createCluster(input: $input) { id } }', {
        token: hub.adminToken,
        variables: { input: { name: `c${i}`, labels } },
      });
      expect(created.errors).toBeUndefined();
    }
    await db.query(`INSERT INTO cluster_connections (cluster_id, state) SELECT id, 'Connected' FROM clusters`);
    simulation = simulateAgents();
    const added = await hub.graphql<{ addSource: { source: { id: string } } }>('mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
      token: hub.adminToken,
      variables: { input: { name: 'fleet', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
    });
    expect(added.errors).toBeUndefined();
    sourceId = added.data!.addSource.source.id;
    await until(async () => (await newest())?.phase === 'WaitingForApproval', 'the canary wave to finish');
  });

  afterAll(async () => {
    simulating = false;
    await simulation;
    await db?.end();
    await hub?.close();
    await repo?.destroy();
    await rm(home, { recursive: true, force: true });
  });

  it('lists rollouts and shows one with a bar per wave', async () => {
    const rollout = (await newest())!;
    const list = await cli(['rollout', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID {3}BUNDLE {3}REVISION {3}PHASE {3,}WAVE {3}DONE {3}AGE$/m);
    const rows = list.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(rows.slice(1).map((row) => row.slice(0, 6))).toEqual([[rollout.id, 'web', rollout.revision.slice(0, 7), 'WaitingForApproval', 'rest', '1/4']]);
    expect(rows[1]![6]).toMatch(/^\d+s$/);
    expect((await cli(['rollout', 'list', '--state', 'Succeeded', '-o', 'name'])).stdout).toBe('');

    const status = await cli(['rollout', 'status', rollout.id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`rollout/${rollout.id}  bundle web  revision ${rollout.revision.slice(0, 7)}  WaitingForApproval, wave rest  1/4 clusters done`);
    expect(status.stdout).toMatch(/^ {2}WAVE {3,}PROGRESS {3,}DONE {3,}IN PROGRESS {3}FAILED {3}ROLLED BACK {3}PENDING {3}STATE {3,}APPROVAL$/m);
    expect(status.stdout).toMatch(/^ {2}canary {3}\[#{20}\] {3}1\/1 .* Complete {3,}-$/m);
    expect(status.stdout).toMatch(/^> rest {5}\[\.{20}\] {3}0\/3 .* 3 {3,}WaitingForApproval {3}needed$/m);
    // By bundle name: its newest rollout; --clusters lists every member.
    const byBundle = await cli(['rollout', 'status', 'web', '--clusters']);
    expect(byBundle.stdout).toContain(`rollout/${rollout.id} `);
    const members = byBundle.stdout.slice(byBundle.stdout.indexOf('CLUSTER')).trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(members.map((row) => row.slice(0, 3))).toEqual([['CLUSTER', 'WAVE', 'STATE'], ['c0', 'canary', 'Done'], ['c1', 'rest', 'Pending'], ['c2', 'rest', 'Pending'], ['c3', 'rest', 'Pending']]);
    expect(members[1]![3]).toMatch(/^\d+$/);
    // Without --clusters only clusters in progress or failed get a line: none here.
    expect(status.stdout).not.toContain('CLUSTER');
    const json = JSON.parse((await cli(['rollout', 'status', rollout.id, '-o', 'json'])).stdout) as { id: string; waves: { name: string; members: unknown[] }[] };
    expect(json.id).toBe(rollout.id);
    expect(json.waves.map((wave) => [wave.name, wave.members.length])).toEqual([['canary', 1], ['rest', 3]]);
  });

  it('pauses and resumes a rollout', async () => {
    const { id } = (await newest())!;
    expect(await cli(['rollout', 'pause', id])).toMatchObject({ code: 0, stdout: `rollout/${id} paused (phase Paused)\n` });
    expect((await newest())!.phase).toBe('Paused');
    const again = await cli(['rollout', 'pause', id, '-o', 'json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Rollout).phase).toBe('Paused');
    expect(await cli(['rollout', 'resume', id])).toMatchObject({ code: 0, stdout: `rollout/${id} resumed (phase Progressing)\n` });
    await until(async () => (await newest())?.phase === 'WaitingForApproval', 'the rollout to wait for approval again');
  });

  it.each([
    [['rollout', 'pause', 'abc'], 2, 'flotilla: <id>: expected a rollout id (digits, see "flotilla rollout list"), got "abc"'],
    [['rollout', 'pause', '999999'], 1, 'no rollout has id 999999'],
    [['rollout', 'approve', '1', 'nowave'], 1, 'has no wave "nowave" (BAD_USER_INPUT)'],
    [['rollout', 'approve', '1', 'rest', '--expires-in-minutes', '0'], 2, 'flotilla: --expires-in-minutes: expected a whole number from 1 to 10080, got "0"'],
    [['rollout', 'status', 'Not_A_Bundle'], 2, 'flotilla: <rollout>: expected a rollout id or a bundle name'],
    [['rollout', 'status', 'other'], 1, 'flotilla: bundle "other" has no rollouts'],
  ])('%j exits %d', async (args, code, message) => {
    const result = await cli(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('watches until Ctrl-C with exit code 130', async () => {
    const { id } = (await newest())!;
    const watch = startCli(['rollout', 'status', id, '--watch'], env);
    try {
      await watch.waitForStdout(/^> rest /m);
    } finally {
      watch.child.kill('SIGINT');
    }
    expect(await watch.exited).toBe(130);
  });

  it('approves a wave and watches the rollout to its end (exit code 0)', async () => {
    const { id } = (await newest())!;
    const watch = startCli(['rollout', 'status', id, '--watch'], env);
    await watch.waitForStdout(/WaitingForApproval/);
    expect(await cli(['rollout', 'approve', id, 'rest'])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^rollout/${id} wave rest approved \\(phase \\w+\\)\\n$`)) });
    expect(await watch.exited).toBe(0);
    const out = watch.stdout();
    // A block per change (stdout is not a terminal), the last one complete.
    const blocks = out.split(/\n(?=rollout\/)/);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.at(-1)).toMatch(/^rollout\/\d+ .* Succeeded {2}4\/4 clusters done/);
    expect(blocks.at(-1)).toMatch(/^ {2}rest {5}\[#{20}\] {3}3\/3 /m);
    expect(out).toMatch(/^> rest {5}\[[#>]*>[#>.]*\] /m);
    expect(watch.stderr()).toBe('');
  });

  it('rolls back by hand, reports it as a failed end to a watch (exit code 1), and retries', async () => {
    const rollout = await commit('2');
    await until(async () => (await newest())?.phase === 'WaitingForApproval', 'the v2 canary to finish');
    const watch = startCli(['rollout', 'status', 'web', '--watch'], env);
    await watch.waitForStdout(/WaitingForApproval/);
    expect(await cli(['rollout', 'rollback', rollout.id])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^rollout/${rollout.id} rolling back \\(phase \\w+\\)\\n$`)) });
    expect(await watch.exited).toBe(1);
    expect(watch.stderr()).toMatch(new RegExp(`^flotilla: rollout/${rollout.id} ended RolledBack`));

    const retried = await cli(['rollout', 'retry', 'web']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/^rollout\/\d+ started for bundle web \(phase \w+\)$/m);
    const again = (await newest())!;
    expect(again.id).not.toBe(rollout.id);
    expect(again.revision).toBe(rollout.revision);
  });

  it('redraws the status in place on a terminal', async () => {
    const { id } = (await newest())!;
    await until(async () => (await newest())?.phase === 'WaitingForApproval', 'the retried rollout to wait for approval');
    // ESC [ n A (cursor up n lines) then ESC [ J (clear to the end of the screen).
    const redraw = new RegExp(`${String.fromCharCode(27)}\\[\\d+A${String.fromCharCode(27)}\\[J`);
    const watch = startCli(['rollout', 'status', id, '--watch'], env, { terminal: true });
    // Every poll moves the cursor back over the block and clears it.
    await watch.waitForStdout(redraw);
    expect(await cli(['rollout', 'approve', id, 'rest'])).toMatchObject({ code: 0 });
    expect(await watch.exited).toBe(0);
    const frames = watch.stdout().split(redraw);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(frames.at(-1)).toMatch(/^rollout\/\d+ .* Succeeded {2}4\/4 clusters done/);
    // Each frame is one block: the redraw replaces it rather than appending another.
    for (const frame of frames) expect(frame.match(/^rollout\//gm)).toHaveLength(1);
  });
});
