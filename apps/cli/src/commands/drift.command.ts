import type { Command } from 'commander';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList } from '../output/output-format.util.js';
import { cell, formatTable, oneLine } from '../output/print-table.util.js';
import { listBundleDeploymentsQuery, reasonOf, type BundleDeploymentNode } from './bundle-deployments.command.js';

/** One drifted field, as the hub reports it from the agent's last status. */
interface FieldDrift {
  resource: string;
  path: string;
  live: string;
  desired: string;
  manager: string;
}

/** `flotilla drift`: the bundle deployments whose live objects differ from what their bundle declares. */
export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description('bundle deployments that report drift (declared fields that differ from the live objects)')
    .option('--bundle <name>', 'only this bundle')
    .option('--cluster <name>', 'only this cluster')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .option('--limit <n>', 'at most this many deployments')
    .action(async (options: { bundle?: string; cluster?: string; output?: string; limit?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['wide', 'json', 'yaml']);
      const limit = intOption('--limit', options.limit, 1, 10_000_000);
      const variables = { bundle: options.bundle ?? null, cluster: options.cluster ?? null, drifted: true, phase: null, health: null, reason: null };
      const page = await fetchAllPages<BundleDeploymentNode & { drift: FieldDrift[] }>(
        hubClientFor(command),
        listBundleDeploymentsQuery('drift { resource path live desired manager }'),
        'bundleDeployments',
        variables,
        limit,
      );
      if (printRawList(format, page.nodes)) return;
      if (page.nodes.length === 0) {
        process.stderr.write('No drift: every bundle deployment matches its declared state.\n');
        return;
      }
      const now = Date.now();
      const wide = format === 'wide';
      // One row per drifted field (the count alone when the agent sent no field list).
      const rows = page.nodes.flatMap((d) => {
        const tail = [ageSince(d.observedAt, now), ...(wide ? [cell(d.health), oneLine(reasonOf(d), 400)] : [])];
        if (d.drift.length === 0) return [[d.bundle, d.cluster, `(${d.driftedFields} fields)`, '', '', '', '', ...tail]];
        return d.drift.map((f) => [d.bundle, d.cluster, f.resource, f.path, oneLine(f.live, 40), oneLine(f.desired, 40), cell(f.manager), ...tail]);
      });
      const header = ['bundle', 'cluster', 'resource', 'path', 'live', 'desired', 'manager', 'observed', ...(wide ? ['health', 'reason'] : [])];
      process.stdout.write(formatTable(header, rows).text);
    });
}
