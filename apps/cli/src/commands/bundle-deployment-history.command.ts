import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { fetchAllPages, type ConnectionPage } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList } from '../output/output-format.util.js';
import { cell, formatTable, oneLine } from '../output/print-table.util.js';

/** One change of a deployment's reported generation, phase or health, as the hub recorded it. */
interface StatusTransition {
  generation: string;
  phase: string | null;
  health: string | null;
  reason: string | null;
  recordedAt: string;
}

// Two deployments at most: a bundle name is unique per source, so two sources can both deploy "web" to a cluster.
const HISTORY_QUERY = `query BundleDeploymentHistory($bundle: String!, $cluster: String!, $first: Int!, $after: String) {
  bundleDeployments(first: 2, bundle: $bundle, cluster: $cluster) {
    nodes { history(first: $first, after: $after) { nodes { generation phase health reason recordedAt } pageInfo { hasNextPage endCursor } totalCount } }
  }
}`;

const DEFAULT_LIMIT = 100;

/** `flotilla bundle-deployments history BUNDLE CLUSTER`: every change of what the agent reported, newest first. */
export function registerBundleDeploymentHistoryCommand(group: Command): void {
  group
    .command('history')
    .description("one bundle deployment's reported changes of generation, phase and health, newest first, with the agent's reasons")
    .argument('<bundle>', 'the bundle name')
    .argument('<cluster>', 'the cluster name')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .option('--limit <n>', `at most this many changes (default ${DEFAULT_LIMIT})`)
    .action(async (bundle: string, cluster: string, options: { output?: string; limit?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['wide', 'json', 'yaml']);
      const limit = intOption('--limit', options.limit, 1, 10_000_000) ?? DEFAULT_LIMIT;
      const historyOf = (data: Record<string, unknown>): ConnectionPage<StatusTransition> => {
        const found = (data.bundleDeployments as { nodes: { history: ConnectionPage<StatusTransition> }[] } | undefined)?.nodes ?? [];
        if (found.length === 0) throw new CliError(`bundle "${bundle}" has no deployment on cluster "${cluster}"`, 1);
        if (found.length > 1) throw new CliError(`bundle "${bundle}" is deployed to cluster "${cluster}" from more than one source; their histories are in the GraphQL API`, 1);
        return found[0]!.history;
      };
      const history = await fetchAllPages<StatusTransition>(hubClientFor(command), HISTORY_QUERY, 'history', { bundle, cluster }, limit, historyOf);
      if (printRawList(format, history.nodes)) return;
      if (history.nodes.length === 0) {
        process.stderr.write(`No status recorded yet for bundle "${bundle}" on cluster "${cluster}".\n`);
        return;
      }
      const now = Date.now();
      const rows = history.nodes.map((t) => [t.recordedAt, ageSince(t.recordedAt, now), t.generation, cell(t.phase), cell(t.health), oneLine(t.reason, format === 'wide' ? 400 : 60)]);
      process.stdout.write(formatTable(['recorded', 'age', 'generation', 'phase', 'health', 'reason'], rows).text);
      if (history.totalCount > history.nodes.length) process.stderr.write(`(${history.nodes.length} of ${history.totalCount} changes; --limit shows more)\n`);
    });
}
