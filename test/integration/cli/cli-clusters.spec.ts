import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli, startCli } from '../../support/run-cli.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

/** A loopback port nothing listens on (fetch refuses "bad ports" such as 1 before even trying). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `flotilla clusters …`, config and exit codes, as a user runs them against a real hub. */
describe('flotilla clusters (against a running hub)', () => {
  let hub: TestHub;
  let home: string;
  let env: Record<string, string>;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
  const labelsOf = async (name: string) =>
    (await hub.graphql<{ cluster: { labels: { key: string; value: string }[] } }>('query($n: String!) { cluster(name: $n) { labels { key value } } }', {
      token: hub.adminToken,
      variables: { n: name },
    })).data!.cluster.labels;

  beforeAll(async () => {
    hub = await startTestHub({ logLevels: [] });
    // An empty HOME: the machine's own ~/.config/flotilla must not take part.
    home = await mkdtemp(join(tmpdir(), 'flotilla-cli-home-'));
    env = { HOME: home, FLOTILLA_HUB_URL: hub.url, FLOTILLA_TOKEN: hub.adminToken };
  });
  afterAll(async () => {
    await hub?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('registers clusters and prints the agent install manifest as multi-document YAML', async () => {
    const added = await cli(['clusters', 'add', 'prod-eu', '--label', 'env=prod', '--label', 'region=eu-west']);
    expect(added.code).toBe(0);
    const docs = parseAllDocuments(added.stdout).map((doc) => doc.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((doc) => doc.kind)).toEqual(expect.arrayContaining(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment']));
    expect(added.stderr).toMatch(/^cluster\/prod-eu registered \(uid [0-9a-f-]{36}\); its bootstrap token expires at \d{4}-/m);
    expect(await labelsOf('prod-eu')).toEqual([{ key: 'env', value: 'prod' }, { key: 'region', value: 'eu-west' }]);

    const file = join(home, 'agent.yaml');
    const toFile = await cli(['clusters', 'add', 'prod-us', '--label', 'env=prod,region=us-east', '-f', file]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toContain(`kubectl apply -f ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parseAllDocuments(await readFile(file, 'utf8')).length).toBeGreaterThanOrEqual(6);
    expect((await cli(['clusters', 'add', 'dev-eu', '--label', 'env=dev', '--label', 'region=eu-west', '--label', 'canary=true'])).code).toBe(0);
  });

  it('lists clusters as an aligned table, wide, JSON, YAML and names', async () => {
    const table = await cli(['clusters', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {3,}CONNECTION {3,}AGENT {3,}LAST SEEN {3,}AGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s{3,}/).slice(0, 4))).toEqual([
      ['dev-eu', 'Disconnected', '<none>', '<none>'],
      ['prod-eu', 'Disconnected', '<none>', '<none>'],
      ['prod-us', 'Disconnected', '<none>', '<none>'],
    ]);
    // Columns line up: every row's second column starts where the header's does.
    const column = lines[0]!.indexOf('CONNECTION');
    for (const line of lines.slice(1)) expect(line.slice(column)).toMatch(/^Disconnected/);
    expect(lines[1]).toMatch(/\d+s$/);

    const wide = await cli(['clusters', 'list', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/ {3}KUBERNETES {3}LABELS {3,}ID$/);
    expect(wide.stdout).toMatch(/^dev-eu .*canary=true,env=dev,region=eu-west {3}[0-9a-f-]{36}$/m);

    const json = JSON.parse((await cli(['clusters', 'list', '-o', 'json'])).stdout) as { items: { name: string; labels: unknown[]; connection: { state: string } }[] };
    expect(json.items.map((item) => item.name)).toEqual(['dev-eu', 'prod-eu', 'prod-us']);
    expect(json.items[0]).toMatchObject({ labels: [{ key: 'canary', value: 'true' }, { key: 'env', value: 'dev' }, { key: 'region', value: 'eu-west' }], connection: { state: 'Disconnected' } });

    const yaml = parseAllDocuments((await cli(['clusters', 'list', '-o', 'yaml'])).stdout)[0]!.toJS() as { items: { name: string }[] };
    expect(yaml.items.map((item) => item.name)).toEqual(['dev-eu', 'prod-eu', 'prod-us']);
    expect((await cli(['clusters', 'ls', '-o', 'name'])).stdout).toBe('cluster/dev-eu\ncluster/prod-eu\ncluster/prod-us\n');
  });

  it.each([
    ['env=prod', ['prod-eu', 'prod-us']],
    ['env=prod,region in (eu-west,eu-central),!canary', ['prod-eu']],
    ['region notin (us-east)', ['dev-eu', 'prod-eu']],
    ['canary', ['dev-eu']],
    ['env!=prod', ['dev-eu']],
    ['env=staging', []],
  ])('selects clusters with -l %j', async (selector, names) => {
    const result = await cli(['clusters', 'list', '-l', selector, '-o', 'name']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(names.map((name) => `cluster/${name}\n`).join(''));
  });

  it('follows the cursors page by page, and stops at --limit', async () => {
    expect(await cli(['--chunk-size', '1', 'clusters', 'list', '-o', 'name'])).toMatchObject({ code: 0, stdout: 'cluster/dev-eu\ncluster/prod-eu\ncluster/prod-us\n' });
    expect((await cli(['clusters', 'list', '-l', 'env=prod', '--chunk-size', '1', '-o', 'name'])).stdout).toBe('cluster/prod-eu\ncluster/prod-us\n');
    expect(await cli(['clusters', 'list', '--chunk-size', '2', '--limit', '2', '-o', 'name'])).toMatchObject({
      code: 0,
      stdout: 'cluster/dev-eu\ncluster/prod-eu\n',
      stderr: '(2 of 3 clusters)\n',
    });
    const tooBig = await cli(['clusters', 'list', '--chunk-size', '501']);
    expect(tooBig).toMatchObject({ code: 2, stderr: 'flotilla: --chunk-size: expected a whole number from 1 to 500, got "501"\n' });
  });

  it('says so on stderr when nothing matches, with exit code 0', async () => {
    const result = await cli(['clusters', 'list', '--selector', 'env=staging']);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'No clusters found.\n' });
  });

  it('adds, changes and removes labels the kubectl way', async () => {
    const labeled = await cli(['clusters', 'label', 'prod-eu', 'tier=gold', 'region-']);
    expect(labeled).toMatchObject({ code: 0, stdout: 'cluster/prod-eu labeled\n' });
    expect(await labelsOf('prod-eu')).toEqual([{ key: 'env', value: 'prod' }, { key: 'tier', value: 'gold' }]);

    const refused = await cli(['clusters', 'label', 'prod-eu', 'env=dev']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('flotilla: label "env" already has the value "prod": pass --overwrite to change it\n');
    expect(await labelsOf('prod-eu')).toEqual([{ key: 'env', value: 'prod' }, { key: 'tier', value: 'gold' }]);

    const overwritten = await cli(['clusters', 'label', 'prod-eu', 'env=dev', '--overwrite', '-o', 'json']);
    expect(overwritten.code).toBe(0);
    expect((JSON.parse(overwritten.stdout) as { labels: unknown }).labels).toEqual([{ key: 'env', value: 'dev' }, { key: 'tier', value: 'gold' }]);

    const missing = await cli(['clusters', 'label', 'prod-eu', 'nothere-']);
    expect(missing).toMatchObject({ code: 0, stdout: 'cluster/prod-eu not labeled (no change)\n', stderr: 'label "nothere" not found on cluster/prod-eu\n' });

    const invalid = await cli(['clusters', 'label', 'prod-eu', 'Bad Key=x']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^flotilla: the hub refused: .*Bad Key.* \(BAD_USER_INPUT\)$/m);
  });

  it.each([
    [['clusters', 'list', '--bogus'], 2, "error: unknown option '--bogus'"],
    [['clusters', 'list', '-l', 'env in (prod'], 2, 'flotilla: --selector: expected "," or ")" in the "in" list, found the end at position 13'],
    [['clusters', 'list', '-o', 'table'], 2, 'flotilla: --output: expected one of wide, json, yaml, name, got "table"'],
    [['clusters', 'list', '--connection', 'up'], 2, "error: option '--connection <state>' argument 'up' is invalid"],
    [['clusters', 'label', 'prod-eu', 'justakey'], 2, 'flotilla: "justakey": expected key=value to set a label or key- to remove one'],
    [['clusters', 'add', 'Prod_1'], 2, 'flotilla: <name>: expected a DNS-1123 name'],
    [['clusters', 'label', 'nope', 'a=b'], 1, 'flotilla: the hub refused: no cluster is named "nope" (NOT_FOUND)'],
    [['clusters', 'rm', 'nope'], 1, '(NOT_FOUND)'],
  ])('%j exits %d', async (args, code, message) => {
    const result = await cli(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('exits 3 when the hub cannot be reached or refuses the token, and 1 when the role is too low', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await cli(['clusters', 'list'], { FLOTILLA_HUB_URL: closed });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toBe(`flotilla: cannot reach the hub at ${closed} (from FLOTILLA_HUB_URL): ECONNREFUSED\n`);

    const badToken = await cli(['status'], { FLOTILLA_TOKEN: 'flt_not-a-real-token' });
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toContain('not authenticated by the hub');
    expect(badToken.stderr).toContain('(UNAUTHENTICATED)');
    expect(badToken.stderr).toContain('the token from FLOTILLA_TOKEN was refused');

    const noToken = await runCli(['clusters', 'list'], { HOME: home, FLOTILLA_HUB_URL: hub.url });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toContain('no token was given: use --token, FLOTILLA_TOKEN or the config file');

    const notAHub = await cli(['status'], { FLOTILLA_HUB_URL: `${hub.url}/metrics` });
    expect(notAHub.code).toBe(3);
    expect(notAHub.stderr).toContain('did not answer as a Flotilla hub');

    const viewer = await hub.graphql<{ createApiToken: { token: string } }>('mutation { createApiToken(input: {name: "ro", role: viewer}) { token } }', { token: hub.adminToken });
    const forbidden = await cli(['clusters', 'rm', 'dev-eu'], { FLOTILLA_TOKEN: viewer.data!.createApiToken.token });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toBe('flotilla: the hub refused: deleteCluster requires the operator role; this token has viewer (FORBIDDEN)\n');
    expect((await cli(['clusters', 'list', '-o', 'name'], { FLOTILLA_TOKEN: viewer.data!.createApiToken.token })).code).toBe(0);
  });

  it('takes the hub and token from flags over the environment over the config file', async () => {
    const config = join(home, 'flotilla.yaml');
    await writeFile(config, `currentContext: broken\ncontexts:\n  broken: {hub: "http://127.0.0.1:${await closedPort()}", token: flt_wrong}\n  good: {hub: "${hub.url}", token: "${hub.adminToken}"}\n`);
    const base = { HOME: home, FLOTILLA_CONFIG: config };
    // The config file alone: its current context points nowhere.
    expect((await runCli(['clusters', 'list', '-o', 'name'], base)).code).toBe(3);
    // --context picks the good one.
    expect((await runCli(['--context', 'good', 'clusters', 'list', '-o', 'name'], base)).stdout).toContain('cluster/prod-eu');
    expect((await runCli(['clusters', 'list', '-o', 'name'], { ...base, FLOTILLA_CONTEXT: 'good' })).code).toBe(0);
    // The environment beats the file, field by field.
    expect((await runCli(['clusters', 'list', '-o', 'name'], { ...base, FLOTILLA_HUB_URL: hub.url, FLOTILLA_TOKEN: hub.adminToken })).code).toBe(0);
    const envHubFileToken = await runCli(['clusters', 'list'], { ...base, FLOTILLA_HUB_URL: hub.url });
    expect(envHubFileToken.code).toBe(3);
    expect(envHubFileToken.stderr).toContain(`the token from ${config} (context broken) was refused`);
    // Flags beat the environment (global flags go before or after the command).
    expect((await runCli(['clusters', 'list', '--hub', hub.url, '--token', hub.adminToken, '-o', 'name'], { ...base, FLOTILLA_HUB_URL: 'http://127.0.0.1:9', FLOTILLA_TOKEN: 'flt_wrong' })).code).toBe(0);
    expect((await runCli(['--hub', hub.url, 'clusters', 'list', '-o', 'name'], { ...base, FLOTILLA_TOKEN: hub.adminToken })).code).toBe(0);
    // A context that does not exist is a usage error.
    const unknown = await runCli(['clusters', 'list', '--context', 'nope'], base);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`--context: no context "nope" in ${config} (it has: broken, good)`);
  });

  it('watches clusters: prints the table, then each change, until Ctrl-C (exit 130)', async () => {
    const watch = startCli(['clusters', 'list', '--watch', '-l', 'env'], env);
    try {
      await watch.waitForStdout(/^NAME .*\n(.*\n){3}$/);
      const before = watch.stdout();
      const created = await hub.graphql('mutation { createCluster(input: {name: "late", labels: [{key: "env", value: "prod"}]}) { id } }', { token: hub.adminToken });
      expect(created.errors).toBeUndefined();
      await watch.waitForStdout(/^late {3,}Disconnected/m);
      await hub.graphql('mutation { setClusterLabels(name: "dev-eu", labels: [{key: "env", value: "qa"}]) { id } }', { token: hub.adminToken });
      const after = await watch.waitForStdout(/^late .*\n(.*\n)*dev-eu /m);
      // Only what changed is printed again, without a second header, lined up with the first table.
      expect(after.slice(before.length).split('\n').filter(Boolean).map((line) => line.split(' ')[0])).toEqual(['late', 'dev-eu']);
      expect(after.match(/^NAME /gm)).toHaveLength(1);
      expect(after.slice(before.length).indexOf('Disconnected')).toBe(before.split('\n')[0]!.indexOf('CONNECTION'));
    } finally {
      watch.child.kill('SIGINT');
    }
    expect(await watch.exited).toBe(130);
  });

  it('removes a cluster', async () => {
    const removed = await cli(['clusters', 'rm', 'late']);
    expect(removed).toMatchObject({ code: 0, stdout: 'cluster/late deleted\n' });
    expect((await cli(['clusters', 'list', '-o', 'name'])).stdout).not.toContain('cluster/late');
  });
});
