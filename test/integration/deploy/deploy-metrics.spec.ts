import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeSimServer } from '@flotilla/kube-sim';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { spawnAgent, type AgentProcess } from '../agent-process/agent-process.support.js';
import { readYaml } from './deploy-files.support.js';
import { grafanaVariableExpression, promqlLabelUses, promqlMetricNames } from './promql-metric-names.util.js';

/** Grafana dashboard JSON, as far as this test reads it. */
interface Dashboard {
  panels: { id: number; type: string; title: string; description?: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
  templating: { list: { name: string; type: string; query?: { query: string } | string }[] };
}

/** A Prometheus rule file. */
interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

const dashboard = readYaml<Dashboard>('monitoring/grafana-dashboard.json');
const rules = readYaml<RuleFile>('monitoring/flotilla-alerts.rules.yaml');

/** Every series name a Prometheus text exposition can hold: `# TYPE` names, with _bucket/_sum/_count for histograms and summaries. */
function exportedSeries(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) {
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Label names seen on the samples of each series (`le` included for buckets). */
function sampledLabels(exposition: string): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const match of exposition.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} \S+$/gm)) {
    const names = labels.get(match[1]!) ?? new Set<string>();
    for (const label of match[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g)) names.add(label[1]!);
    labels.set(match[1]!, names);
  }
  return labels;
}

/** Labels Prometheus adds to every scraped series; no exporter sets them. */
const TARGET_LABELS = new Set(['job', 'instance']);

function dashboardExpressions(): { where: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t, i) => ({ where: `panel "${panel.title}" target ${i + 1}`, expr: t.expr })));
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable ${v.name}`, expr: grafanaVariableExpression(typeof v.query === 'string' ? v.query : v.query!.query) }));
  return [...panels, ...variables];
}

function ruleExpressions(): { where: string; expr: string }[] {
  return rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })));
}

describe('the PromQL metric-name lexer itself', () => {
  it.each([
    ['sum by (route, status) (rate(flotilla_http_requests_total{job=~"$hub_job", route="/graphql"}[$__rate_interval]))', ['flotilla_http_requests_total']],
    ['histogram_quantile(0.95, sum by (le) (rate(a_bucket[5m]))) > 2', ['a_bucket']],
    ['nodejs_eventloop_lag_p99_seconds > 0.5 and on (job, instance) flotilla_build_info{component="hub"}', ['nodejs_eventloop_lag_p99_seconds', 'flotilla_build_info']],
    ['x / clamp_min(sum(y), 1e-9)', ['x', 'y']],
    ['time() - max by (instance, bundle) (flotila_agent_typo{a="}{"})', ['flotila_agent_typo']],
  ])('%s', (expression, names) => {
    expect(promqlMetricNames(expression).sort()).toEqual([...names].sort());
  });

  it('finds the labels an expression relies on', () => {
    expect(promqlLabelUses('sum by (route, status) (rate(m{job=~"$j", route="/graphql", status!~"5.."}[5m])) / on (job) n{a="{"}')).toEqual({
      selectors: [
        { metric: 'm', labels: ['job', 'route', 'status'] },
        { metric: 'n', labels: ['a'] },
      ],
      grouping: ['route', 'status', 'job'],
    });
  });

  it('reads the selector of a Grafana label_values query', () => {
    expect(grafanaVariableExpression('label_values(flotilla_build_info{component="hub"}, job)')).toBe('flotilla_build_info{component="hub"}');
  });
});

describe('deploy/monitoring: structure', () => {
  it('every dashboard panel has a unique id and a description, and queries through the datasource variable', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ title: panel.title, description: Boolean(panel.description), uid: panel.datasource?.uid, targets: (panel.targets ?? []).length > 0 }).toEqual({
        title: panel.title,
        description: true,
        uid: '${datasource}',
        targets: true,
      });
    }
  });

  it('every alert has a unique name, a severity, a summary and a valid "for"', () => {
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
    for (const alert of alerts) {
      expect({ alert: alert.alert, severity: alert.labels?.['severity'], summary: typeof alert.annotations?.['summary'] }).toEqual({
        alert: expect.stringMatching(/^Flotilla[A-Z][A-Za-z]+$/),
        severity: expect.stringMatching(/^(critical|warning|info)$/),
        summary: 'string',
      });
      if (alert.for !== undefined) expect(alert.for).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
    }
  });
});

/**
 * The metric names the dashboard and the alert rules use, against what a real hub and a real agent
 * export at /metrics: renaming a metric in code, or misspelling one here, fails this test.
 */
describe('deploy/monitoring: every metric used is exported by the hub or the agent', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let cluster: KubeSimServer;
  let dir: string;
  let agent: AgentProcess | undefined;
  let exported: Set<string>;
  let labels: Map<string, Set<string>>;

  async function scrape(url: string, deadlineMs: number): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(url);
        if (response.ok) return await response.text();
        last = new Error(`GET ${url} answered ${response.status}`);
      } catch (error) {
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no metrics at ${url} within ${deadlineMs} ms (${(last as Error)?.message}); agent output:\n${agent?.output() ?? ''}`);
  }

  beforeAll(async () => {
    // A bundle for the agent to reconcile, so its per-bundle series have samples whose labels can be checked.
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {}}]\n');
    await repo.write('web/all.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {a: b}\n');
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const added = await hub.graphql('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', { token: hub.adminToken, variables: { i: { name: 'fleet', url: repo.url, ref: 'main' } } });
    expect(added.errors).toBeUndefined();
    cluster = await KubeSimServer.start();
    dir = await mkdtemp(join(tmpdir(), 'flotilla-deploy-metrics-'));
    const registered = await hub.graphql<{ registerCluster: { installManifest: string } }>('mutation { registerCluster(name: "metrics-1") { installManifest } }', { token: hub.adminToken });
    const secret = parseAllDocuments(registered.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!;
    await writeFile(join(dir, 'hub-ca.pem'), secret['hub-ca.pem']!);
    await writeFile(join(dir, 'bootstrap-token'), secret['bootstrap-token']!);
    agent = await spawnAgent({
      hubGrpcPort: hub.hub.grpcPort,
      hubRegistrationPort: hub.hub.registrationPort,
      hubCaFile: join(dir, 'hub-ca.pem'),
      bootstrapTokenFile: join(dir, 'bootstrap-token'),
      stateDir: join(dir, 'state'),
      kubeconfigPath: cluster.kubeconfigPath,
      home: dir,
    });
    const agentMetrics = `http://127.0.0.1:${agent.httpPort}/metrics`;
    const deadline = Date.now() + 30_000;
    let agentText = await scrape(agentMetrics, 30_000);
    while (!/^flotilla_agent_reconcile_duration_seconds_count\{/m.test(agentText)) {
      if (Date.now() > deadline) throw new Error(`the agent never reconciled the bundle; its output:\n${agent.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      agentText = await scrape(agentMetrics, 5_000);
    }
    // A webhook delivery for a source that does not exist: the hub's webhook route then has samples too.
    expect((await fetch(`${hub.url}/webhooks/sources/00000000-0000-0000-0000-000000000000`, { method: 'POST', body: '{}' })).status).toBeGreaterThanOrEqual(400);
    const hubText = await scrape(`${hub.url}/metrics`, 10_000);
    expect(hubText).toMatch(/^flotilla_build_info\{component="hub",/m);
    expect(agentText).toMatch(/^flotilla_build_info\{component="agent",/m);
    exported = new Set([...exportedSeries(hubText), ...exportedSeries(agentText)]);
    labels = sampledLabels(`${hubText}\n${agentText}`);
  });

  afterAll(async () => {
    if (agent && agent.child.exitCode === null) {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
    await cluster?.close();
    await hub?.close();
    await repo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['the Grafana dashboard', dashboardExpressions],
    ['the Prometheus alert rules', ruleExpressions],
  ])('%s', (_what, expressions) => {
    const used = expressions();
    expect(used.length).toBeGreaterThan(5);
    const unknown = used.flatMap(({ where, expr }) => promqlMetricNames(expr).filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
    expect(unknown).toEqual([]);
    // Every query names at least one metric (an expression the lexer saw nothing in would check nothing).
    expect(used.filter(({ expr }) => promqlMetricNames(expr).length === 0)).toEqual([]);
  });

  it.each([
    ['the Grafana dashboard', dashboardExpressions],
    ['the Prometheus alert rules', ruleExpressions],
  ])('%s: every label it matches or groups by is one the metric carries', (_what, expressions) => {
    const problems: string[] = [];
    const verified = new Set<string>();
    for (const { where, expr } of expressions()) {
      const uses = promqlLabelUses(expr);
      for (const { metric, labels: used } of uses.selectors) {
        const seen = labels.get(metric);
        // A metric with no sample yet (a counter nothing has incremented) cannot show its labels.
        if (!seen) continue;
        verified.add(metric);
        for (const label of used) if (!TARGET_LABELS.has(label) && !seen.has(label)) problems.push(`${where}: ${metric} has no label "${label}"`);
      }
      const metrics = promqlMetricNames(expr).filter((m) => labels.has(m));
      if (metrics.length === 0) continue;
      for (const label of uses.grouping) {
        if (!TARGET_LABELS.has(label) && !metrics.some((m) => labels.get(m)!.has(label))) problems.push(`${where}: no metric of the expression has label "${label}"`);
      }
    }
    expect(problems).toEqual([]);
    // The label checks above reached the metrics that carry the dashboards' and alerts' labels.
    expect([...verified].filter((m) => /^flotilla_(http_request|agent_reconcile_duration|build_info)/.test(m)).length).toBeGreaterThanOrEqual(2);
  });
});
