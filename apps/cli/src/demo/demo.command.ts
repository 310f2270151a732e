import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { startDemoFleet, stopDemoFleet, graphql, DEMO_CLUSTERS, type DemoCluster } from './demo-fleet.js';
import { startDemoHub, type DemoHub } from './demo-hub.js';
import { ensureDemoRepository } from './demo-repository.js';
import { renderScreen, snapshot, summaryLine } from './demo-status.js';

const BUNDLES = ['web', 'monitoring', 'api'];

interface DemoOptions {
  headless: boolean;
  keepRunning: boolean;
  timeout: string;
  clusters: string;
  dataDir: string;
  reset: boolean;
  httpPort: string;
}

/** `flotilla demo`: a running fleet in one command — hub, Git repository, simulated clusters, real agents. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a real fleet on this machine: the hub (embedded PostgreSQL), an example Git repository, simulated clusters and their agents')
    .option('--headless', 'plain progress lines; exit 0 once every bundle is Healthy everywhere, 1 at the timeout', false)
    .option('--keep-running', 'with --headless: after converging, keep the fleet running and printing progress lines until Ctrl-C or SIGTERM', false)
    .option('--timeout <seconds>', 'with --headless: give up after this long', '180')
    .option('--clusters <n>', `simulated clusters (1-${DEMO_CLUSTERS.length})`, '4')
    .option('--data-dir <dir>', 'where the demo keeps its state (reused by the next run)', '.flotilla/demo')
    .option('--reset', 'start from nothing: delete the demo data directory first', false)
    .option('--http-port <port>', 'the hub’s HTTP port (GraphQL)', '8080')
    .action(async (options: DemoOptions) => {
      const count = Number(options.clusters);
      const timeout = Number(options.timeout);
      const httpPort = Number(options.httpPort);
      if (!Number.isInteger(count) || count < 1 || count > DEMO_CLUSTERS.length) throw new CliError(`--clusters: expected 1-${DEMO_CLUSTERS.length}`, 2);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError('--timeout: expected seconds', 2);
      if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65_535) throw new CliError('--http-port: expected a port number', 2);
      await runDemo(resolve(options.dataDir), count, options, timeout, httpPort);
    });
}

async function runDemo(dataDir: string, count: number, options: DemoOptions, timeout: number, httpPort: number): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (options.reset) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  let hub: DemoHub | undefined;
  let fleet: DemoCluster[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopDemoFleet(fleet);
      await hub?.stop();
    })());
  const interrupted = new Promise<void>((done) => {
    const onSignal = () => void stop().then(done);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    say(`starting the hub (data in ${dataDir}) …`);
    hub = await startDemoHub(dataDir, httpPort);
    const repo = await ensureDemoRepository(resolve(dataDir, 'repo'));
    const sources = await graphql<{ sources: { nodes: { id: string; name: string }[] } }>(hub, '{ sources(first: 500) { nodes { id name } } }');
    if (!sources.sources.nodes.some((source) => source.name === 'demo')) {
      await graphql(hub, 'mutation($input: AddSourceInput!) { addSource(input: $input) { source { id } } }', {
        input: { name: 'demo', url: `file://${repo}`, ref: 'main' },
      });
    }
    say(`starting ${count} simulated clusters and their agents …`);
    fleet = await startDemoFleet(hub, dataDir, count);
    const clusters = fleet.map((cluster) => cluster.name);
    const expectedRows = clusters.length * BUNDLES.length;

    let convergedAt: number | undefined;
    let last = '';
    for (;;) {
      if (stopping) break;
      const seconds = (performance.now() - started) / 1000;
      const snap = await snapshot(hub, expectedRows, startedAt).catch(() => undefined);
      if (snap) {
        if (options.headless) {
          const line = summaryLine(seconds, clusters.length, expectedRows, snap);
          if (line.replace(/^t=\S+ /, '') !== last) say(line);
          last = line.replace(/^t=\S+ /, '');
        } else {
          process.stdout.write(`\x1b[2J\x1b[H${renderScreen(hub, clusters, BUNDLES, snap, seconds)}\n`);
          if (convergedAt !== undefined) say(nextSteps(hub, repo, fleet));
        }
        if (snap.converged && convergedAt === undefined) {
          convergedAt = seconds;
          if (options.headless) {
            say(`converged: every bundle Healthy on every cluster`);
            say(`converged_s=${seconds.toFixed(1)}`);
            if (!options.keepRunning) break;
            say(`still running (hub ${hub.url}, token in ${resolve(dataDir, 'admin-token')}); SIGTERM or Ctrl-C stops everything`);
          }
        }
      }
      if (options.headless && convergedAt === undefined && seconds > timeout) {
        say(`not converged after ${timeout} s; the hub's log is ${hub.logFile}`);
        process.exitCode = 1;
        break;
      }
      await Promise.race([new Promise((done) => setTimeout(done, 1_000)), interrupted]);
    }
  } finally {
    await stop();
  }
}

function nextSteps(hub: DemoHub, repo: string, fleet: readonly DemoCluster[]): string {
  return [
    '',
    'Try next:',
    `  GraphQL:  curl -s ${hub.url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${hub.token}' \\`,
    `              -d '{"query":"{ fleet { clusters bundleDeployments } rollouts(bundle: \\"api\\") { nodes { phase currentWave } } }"}'`,
    `  Roll out: cd ${repo} && sed -i 's/1.0.0/1.1.0/' apps/api/flotilla.yaml && git commit -qam "api 1.1.0"   (watch the waves)`,
    `  Drift:    KUBECONFIG=${fleet[0]?.kubeconfigPath ?? '?'} kubectl -n web scale deployment web --replicas=9   (the agent takes it back)`,
    `  Report:   KUBECONFIG=${fleet[0]?.kubeconfigPath ?? '?'} kubectl -n monitoring scale deployment collector --replicas=2   (shown as drift, left alone)`,
  ].join('\n');
}
