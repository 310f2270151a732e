import type { DemoHub } from './demo-hub.js';
import { graphql } from './demo-fleet.js';

interface Row {
  bundle: string;
  cluster: string;
  desiredGeneration: string | null;
  reportedGeneration: string | null;
  phase: string | null;
  health: string | null;
  reason: string | null;
  reportedReason: string | null;
  removal: string | null;
  observedAt: string | null;
  driftedFields: number;
}

/** One look at the fleet: what the demo prints and decides convergence on. */
export interface DemoSnapshot {
  readonly rows: Row[];
  readonly connected: number;
  readonly rollout: { phase: string; currentWave: string | null; waves: { name: string; clusters: number; done: number }[] } | undefined;
  readonly healthy: number;
  /** Bundle deployments whose agent reports fields differing from what the bundle declares. */
  readonly drifted: number;
  readonly converged: boolean;
}

/**
 * Healthy means: the agent reported the desired generation itself, Applied and Healthy, and did
 * so during this run (a reused demo keeps the statuses of the last one, and its clusters are new).
 */
function isHealthy(row: Row, since: Date): boolean {
  return (
    row.removal === null &&
    row.desiredGeneration !== null &&
    row.reportedGeneration === row.desiredGeneration &&
    row.health === 'HEALTHY' &&
    row.observedAt !== null &&
    new Date(row.observedAt) >= since
  );
}

const ROW_PAGE_FIELDS =
  'nodes { bundle cluster desiredGeneration reportedGeneration phase health reason reportedReason removal observedAt driftedFields } pageInfo { hasNextPage endCursor }';

export async function snapshot(hub: DemoHub, expectedRows: number, since: Date): Promise<DemoSnapshot> {
  type RowPage = { nodes: Row[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  const data = await graphql<{
    fleet: { clustersByConnection: { value: string; count: number }[] };
    bundleDeployments: RowPage;
    rollouts: { nodes: DemoSnapshot['rollout'][] };
  }>(
    hub,
    `{ fleet { clustersByConnection { value count } }
       bundleDeployments(first: 500) { ${ROW_PAGE_FIELDS} }
       rollouts(bundle: "api", first: 1) { nodes { phase currentWave waves { name clusters done } } } }`,
  );
  const rows = [...data.bundleDeployments.nodes];
  // A demo fleet fits in one page; follow the cursor anyway rather than silently count a partial list.
  for (let page = data.bundleDeployments; page.pageInfo.hasNextPage; ) {
    page = (await graphql<{ bundleDeployments: RowPage }>(hub, `query($after: String) { bundleDeployments(first: 500, after: $after) { ${ROW_PAGE_FIELDS} } }`, { after: page.pageInfo.endCursor }))
      .bundleDeployments;
    rows.push(...page.nodes);
  }
  const healthy = rows.filter((row) => isHealthy(row, since)).length;
  return {
    rows,
    connected: data.fleet.clustersByConnection.find((c) => c.value === 'Connected')?.count ?? 0,
    rollout: data.rollouts.nodes[0],
    healthy,
    drifted: rows.filter((row) => row.driftedFields > 0).length,
    converged: rows.length === expectedRows && healthy === expectedRows,
  };
}

/** A one-line summary for --headless and logs. */
export function summaryLine(seconds: number, clusters: number, expectedRows: number, snap: DemoSnapshot): string {
  const rollout = snap.rollout ? ` rollout=api:${snap.rollout.phase}${snap.rollout.currentWave ? `(${snap.rollout.currentWave})` : ''}` : '';
  return `t=${seconds.toFixed(1)}s connected=${snap.connected}/${clusters} healthy=${snap.healthy}/${expectedRows} drifted=${snap.drifted}${rollout}`;
}

const MARK: Record<string, string> = { HEALTHY: '✓', PROGRESSING: '…', DEGRADED: '✗', UNKNOWN: '?' };

/** The live screen: clusters down, bundles across, and the rollout's waves as progress bars. */
export function renderScreen(hub: DemoHub, clusters: readonly string[], bundles: readonly string[], snap: DemoSnapshot, seconds: number): string {
  const cell = (cluster: string, bundle: string): string => {
    const row = snap.rows.find((r) => r.cluster === cluster && r.bundle === bundle);
    if (!row) return '-';
    if (row.reason) return '✗ render error';
    if (!row.health) return row.desiredGeneration ? `… delivering g${row.desiredGeneration}` : '… waiting';
    const stale = row.reportedGeneration !== row.desiredGeneration ? ` (g${row.reportedGeneration}→${row.desiredGeneration})` : ` g${row.desiredGeneration}`;
    const drift = row.driftedFields > 0 ? ` drift:${row.driftedFields}` : '';
    return `${MARK[row.health] ?? '?'} ${row.health.toLowerCase()}${stale}${drift}`;
  };
  const width = 26;
  const lines = [
    `Flotilla demo — ${hub.url}/graphql — ${seconds.toFixed(0)} s — Ctrl-C stops everything`,
    '',
    `${'cluster'.padEnd(10)}${bundles.map((b) => b.padEnd(width)).join('')}`,
    ...clusters.map((cluster) => `${cluster.padEnd(10)}${bundles.map((bundle) => cell(cluster, bundle).slice(0, width - 1).padEnd(width)).join('')}`),
    '',
  ];
  if (snap.rollout) {
    lines.push(`rollout of api: ${snap.rollout.phase}`);
    for (const wave of snap.rollout.waves) {
      const filled = wave.clusters === 0 ? 10 : Math.round((wave.done / wave.clusters) * 10);
      lines.push(`  ${wave.name.padEnd(8)} [${'█'.repeat(filled)}${'░'.repeat(10 - filled)}] ${wave.done}/${wave.clusters}`);
    }
  }
  lines.push('', `${snap.connected}/${clusters.length} agents connected, ${snap.healthy}/${clusters.length * bundles.length} bundle deployments healthy${snap.converged ? ' — converged' : ''}`);
  return lines.join('\n');
}
