import { Option, type Command } from 'commander';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList, type OutputFormat } from '../output/output-format.util.js';
import { cell, formatTable } from '../output/print-table.util.js';
import { watchList } from '../output/watch-list.util.js';
import { parseLabelSelector, type LabelSelectorInput } from '../selectors/parse-label-selector.util.js';

/** A cluster as the hub's GraphQL API answers it. */
export interface ClusterNode {
  id: string;
  name: string;
  labels: { key: string; value: string }[];
  vars: unknown;
  createdAt: string;
  updatedAt: string;
  connection: {
    state: string;
    agentVersion: string | null;
    kubernetesVersion: string | null;
    protocolVersion: number | null;
    connectedAt: string | null;
    lastSeenAt: string | null;
  };
}

export const CLUSTER_FIELDS = `id name labels { key value } vars createdAt updatedAt
  connection { state agentVersion kubernetesVersion protocolVersion connectedAt lastSeenAt }`;

const LIST_CLUSTERS = `query Clusters($first: Int!, $after: String, $selector: LabelSelectorInput, $connection: String, $search: String) {
  clusters(first: $first, after: $after, selector: $selector, connection: $connection, search: $search) {
    nodes { ${CLUSTER_FIELDS} }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

interface ListOptions {
  selector?: string;
  connection?: string;
  search?: string;
  output?: string;
  watch: boolean;
  interval: string;
  limit?: string;
}

const labelsText = (cluster: ClusterNode) => cell(cluster.labels.map((label) => `${label.key}=${label.value}`).join(','));

function tableOf(format: OutputFormat, clusters: readonly ClusterNode[], now: number): { header: string[]; rows: string[][] } {
  const wide = format === 'wide';
  const header = ['name', 'connection', 'agent', 'last seen', 'age', ...(wide ? ['kubernetes', 'labels', 'id'] : [])];
  const rows = clusters.map((cluster) => [
    cluster.name,
    cluster.connection.state,
    cell(cluster.connection.agentVersion),
    ageSince(cluster.connection.lastSeenAt, now),
    ageSince(cluster.createdAt, now),
    ...(wide ? [cell(cluster.connection.kubernetesVersion), labelsText(cluster), cluster.id] : []),
  ]);
  return { header, rows };
}

/** What a watch compares: everything but the heartbeat time, which moves without anything changing. */
function signature(cluster: ClusterNode): string {
  return JSON.stringify({ ...cluster, connection: { ...cluster.connection, lastSeenAt: null } });
}

/** `flotilla clusters list`: clusters by name, filtered like `kubectl get -l`, optionally watched. */
export function registerClustersListCommand(clusters: Command): void {
  clusters
    .command('list')
    .alias('ls')
    .description('list clusters with their agent connection (kubectl get style)')
    .option('-l, --selector <selector>', 'kubectl label selector, e.g. "env=prod,region in (eu-west,eu-central),!canary"')
    .addOption(new Option('--connection <state>', 'only clusters in this connection state').choices(['Connected', 'Disconnected']))
    .option('--search <text>', 'only clusters whose name contains this text')
    .addOption(outputOption())
    .option('-w, --watch', 'after the list, print clusters as they change until Ctrl-C', false)
    .option('--interval <seconds>', 'with --watch: seconds between polls of the hub', '1')
    .option('--limit <n>', 'at most this many clusters')
    .action(async (options: ListOptions, command: Command) => {
      const format = parseOutputFormat(options.output);
      const selector: LabelSelectorInput | undefined = options.selector === undefined ? undefined : parseLabelSelector(options.selector);
      const intervalMs = (intOption('--interval', options.interval, 1, 3600) ?? 1) * 1000;
      const limit = intOption('--limit', options.limit, 1, 1_000_000);
      const variables = { selector: selector ?? null, connection: options.connection ?? null, search: options.search ?? null };
      const list = async (signal?: AbortSignal) => fetchAllPages<ClusterNode>(hubClientFor(command, signal), LIST_CLUSTERS, 'clusters', variables, limit);

      const first = await list();
      if (!options.watch) {
        if (printRawList(format, first.nodes)) return;
        if (format === 'name') {
          for (const cluster of first.nodes) process.stdout.write(`cluster/${cluster.name}\n`);
        } else if (first.nodes.length === 0) {
          process.stderr.write('No clusters found.\n');
        } else {
          const { header, rows } = tableOf(format, first.nodes, Date.now());
          process.stdout.write(formatTable(header, rows).text);
        }
        if (limit !== undefined && first.totalCount > first.nodes.length) process.stderr.write(`(${first.nodes.length} of ${first.totalCount} clusters)\n`);
        return;
      }

      await watchList({
        format,
        first: first.nodes,
        fetch: async (signal) => (await list(signal)).nodes,
        key: (cluster) => cluster.id,
        signature,
        table: (items, now) => tableOf(format, items, now),
        name: (cluster) => `cluster/${cluster.name}`,
        what: 'clusters',
        intervalMs,
      });
    });
}
