// From a Git commit to every BundleDeployment row committed, at fleet scale: 10,000 clusters ×
// 10 bundles (9 bundles whose output depends only on labels drawn from 20 label sets, and 1 that
// templates cluster.name, so 10,000 of its renders are distinct) = 100,000 rows. Beside it, the
// time of a raw `git fetch` of the same commit. Uses FLOTILLA_BENCH_DATABASE_URL (an admin URL)
// or an embedded PostgreSQL. Usage: npm run bench:target-state [-- --clusters N]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { GitRepoFixture } from '../../libs/git/src/testing/git-repo.fixture.js';
import { startBenchHub } from '../support/bench-hub.js';

const arg = process.argv.indexOf('--clusters');
const clusterCount = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'ap-south'];
const TIERS = ['gold', 'silver', 'bronze', 'iron', 'tin'];

function bundleFiles(index: number, version: number): Record<string, string> {
  const name = `app-${index}`;
  const who = index === 9 ? '{{ cluster.name }}' : '{{ cluster.labels.region }}-{{ cluster.labels.tier }}';
  const spec = `name: ${name}\nnamespace: ${name}\ntargets: [{selector: {matchLabels: {env: prod}}}]\nvalues: {replicas: 2, version: "${version}"}\noverlays:\n  - selector: {matchLabels: {tier: gold}}\n    values: {replicas: 5}\n`;
  const objects = [
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}-config}\ndata: {WHERE: "${who}", VERSION: "{{ values.version }}"}`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}}`,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {replicas: "{{ values.replicas }}", template: {spec: {containers: [{name: app, image: "app:{{ values.version }}", env: [{name: WHERE, value: "${who}"}]}]}}}`,
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}`,
    ...Array.from({ length: 6 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}-extra-${i}}\ndata: {index: "${i}"}`),
  ];
  return { [`apps/${name}/flotilla.yaml`]: spec, [`apps/${name}/all.yaml`]: objects.join('\n---\n') };
}

async function writeRepo(repo: GitRepoFixture, version: number): Promise<string> {
  for (let i = 0; i < 10; i += 1) for (const [path, text] of Object.entries(bundleFiles(i, version))) await repo.write(path, text);
  return repo.commit(`version ${version}`);
}

const repo = await GitRepoFixture.create();
const bench = await startBenchHub('target-state');
const gql = bench.gql;

try {
  // Clusters go straight into the table: the bench measures the commit, not 10,000 API calls.
  const client = new pg.Client({ connectionString: bench.databaseUrl });
  await client.connect();
  const names = Array.from({ length: clusterCount }, (_, i) => `cluster-${i}`);
  const labels = names.map((_, i) => JSON.stringify({ env: 'prod', region: REGIONS[i % 4], tier: TIERS[Math.floor(i / 4) % 5] }));
  await client.query(`INSERT INTO clusters (name, labels) SELECT * FROM unnest($1::text[], $2::jsonb[])`, [names, labels]);
  const rowCount = async () => Number((await client.query('SELECT count(*) FROM bundle_deployments')).rows[0].count);

  const first = await writeRepo(repo, 1);
  let started = performance.now();
  const added = await gql<{ addSource: { source: { id: string } } }>(
    'mutation($input: AddSourceInput!) { addSource(input: $input) { source { id lastFetchedSha } } }',
    { input: { name: 'bench', url: repo.url, ref: 'main', pollIntervalSeconds: 0 } },
  );
  const initialMs = performance.now() - started;
  const initialRows = await rowCount();
  console.log(`first commit ${first.slice(0, 12)}: ${initialRows} rows in ${initialMs.toFixed(0)} ms (clone included)`);

  await writeRepo(repo, 2);
  started = performance.now();
  await gql('mutation($id: ID!) { syncSource(id: $id) { lastError } }', { id: added.addSource.source.id });
  const updateMs = performance.now() - started;
  const changed = Number((await client.query(`SELECT count(*) FROM bundle_deployments WHERE desired_revision = (SELECT last_fetched_sha FROM sources)`)).rows[0].count);
  const distinct = Number((await client.query('SELECT count(DISTINCT desired_hash) FROM bundle_deployments')).rows[0].count);
  console.log(`second commit: ${changed} rows changed, ${distinct} distinct hashes, in ${updateMs.toFixed(0)} ms`);

  // A raw fetch of the same new commit into a bare mirror that has the first one.
  const mirror = join(bench.scratch, 'raw.git');
  execFileSync('git', ['clone', '--quiet', '--bare', '--no-local', repo.dir, mirror]);
  execFileSync('git', ['--git-dir', mirror, 'update-ref', 'refs/heads/main', first]);
  await writeRepo(repo, 3);
  started = performance.now();
  execFileSync('git', ['--git-dir', mirror, 'fetch', '--quiet', repo.url, '+refs/heads/main:refs/heads/main']);
  const fetchMs = performance.now() - started;
  await client.end();

  console.log(
    [
      `clusters=${clusterCount}`,
      `bundles=10`,
      `rows=${initialRows}`,
      `first_commit_to_rows_ms=${initialMs.toFixed(0)}`,
      `commit_to_rows_committed_ms=${updateMs.toFixed(0)}`,
      `rows_changed=${changed}`,
      `distinct_hashes=${distinct}`,
      `raw_git_fetch_ms=${fetchMs.toFixed(0)}`,
    ].join(' '),
  );
} finally {
  await bench.close();
  await repo.destroy();
}
