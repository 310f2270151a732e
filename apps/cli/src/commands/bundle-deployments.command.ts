import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList, type OutputFormat } from '../output/output-format.util.js';
import { cell, formatTable, oneLine, short } from '../output/print-table.util.js';
import { watchList } from '../output/watch-list.util.js';
import { registerBundleDeploymentHistoryCommand } from './bundle-deployment-history.command.js';

/** A bundle deployment as the hub's GraphQL API answers it. */
export interface BundleDeploymentNode {
  id: string;
  bundle: string;
  cluster: string;
  targetHash: string | null;
  targetRevision: string | null;
  desiredHash: string | null;
  desiredRevision: string | null;
  desiredGeneration: string | null;
  ackedGeneration: string | null;
  reportedGeneration: string | null;
  phase: string | null;
  health: string | null;
  terminal: boolean;
  driftedFields: number;
  reason: string | null;
  reportedReason: string | null;
  removal: string | null;
  observedAt: string | null;
  updatedAt: string;
}

const FIELDS = `id bundle cluster targetHash targetRevision desiredHash desiredRevision desiredGeneration ackedGeneration
  reportedGeneration phase health terminal driftedFields reason reportedReason removal observedAt updatedAt`;

/** The bundle deployments list query; `extraFields` adds fields a caller needs beyond the common ones. */
export function listBundleDeploymentsQuery(extraFields = ''): string {
  return `query BundleDeployments($first: Int!, $after: String, $bundle: String, $cluster: String, $phase: String, $health: String, $drifted: Boolean, $reason: String) {
  bundleDeployments(first: $first, after: $after, bundle: $bundle, cluster: $cluster, phase: $phase, health: $health, drifted: $drifted, reason: $reason) {
    nodes { ${FIELDS} ${extraFields} }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;
}

const PHASES = ['WAITING', 'APPLYING', 'APPLIED', 'FAILED', 'REMOVING', 'REMOVED', 'SUSPENDED', 'NONE'];
const HEALTHS = ['HEALTHY', 'PROGRESSING', 'DEGRADED', 'UNKNOWN', 'NONE'];

function choice(option: string, raw: string | undefined, allowed: readonly string[]): string | null {
  if (raw === undefined) return null;
  const value = raw.toUpperCase();
  if (!allowed.includes(value)) throw new CliError(`${option}: expected one of ${allowed.join(', ')}, got "${raw}"`, 2);
  return value;
}

/** Why a deployment is not where it should be: the hub's blocking reason first, then the agent's. */
export const reasonOf = (d: BundleDeploymentNode) => d.reason ?? d.reportedReason;

function tableOf(format: OutputFormat, deployments: readonly BundleDeploymentNode[], now: number): { header: string[]; rows: string[][] } {
  const wide = format === 'wide';
  const header = ['bundle', 'cluster', 'phase', 'health', 'drift', 'generation', 'revision', 'updated', ...(wide ? ['reported', 'target', 'desired', 'reason'] : ['reason'])];
  const rows = deployments.map((d) => [
    d.bundle,
    d.cluster,
    cell(d.phase),
    d.health ? `${d.health}${d.terminal ? ' (terminal)' : ''}` : '<none>',
    String(d.driftedFields),
    cell(d.desiredGeneration),
    short(d.desiredRevision),
    ageSince(d.observedAt ?? d.updatedAt, now),
    ...(wide ? [cell(d.reportedGeneration), short(d.targetHash, 12), short(d.desiredHash, 12), oneLine(reasonOf(d), 400)] : [oneLine(reasonOf(d))]),
  ]);
  return { header, rows };
}

interface ListOptions {
  bundle?: string;
  cluster?: string;
  phase?: string;
  health?: string;
  drifted?: boolean;
  reason?: string;
  output?: string;
  watch: boolean;
  interval: string;
  limit?: string;
}

/** `flotilla bundle-deployments list`: what runs where, at which revision, healthy or not, drifted or not, and why. */
export function registerBundleDeploymentsCommands(program: Command): void {
  const group = program.command('bundle-deployments').alias('bd').description('one bundle on one cluster: desired and reported state (over the hub API)');
  group
    .command('list')
    .alias('ls')
    .description('list bundle deployments by bundle then cluster, with phase, health, drift and reason')
    .option('--bundle <name>', 'only this bundle')
    .option('--cluster <name>', 'only this cluster')
    .option('--phase <phase>', `only this reported phase: ${PHASES.join(', ')} (NONE: no report yet)`)
    .option('--health <health>', `only this reported health: ${HEALTHS.join(', ')}`)
    .option('--drifted', 'only deployments that report drift')
    .option('--no-drifted', 'only deployments that report no drift')
    .option('--reason <text>', 'only deployments whose reason contains this text')
    .addOption(outputOption())
    .option('-w, --watch', 'after the list, print deployments as they change until Ctrl-C', false)
    .option('--interval <seconds>', 'with --watch: seconds between polls of the hub', '1')
    .option('--limit <n>', 'at most this many deployments')
    .action(async (options: ListOptions, command: Command) => {
      const format = parseOutputFormat(options.output);
      const intervalMs = (intOption('--interval', options.interval, 1, 3600) ?? 1) * 1000;
      const limit = intOption('--limit', options.limit, 1, 10_000_000);
      const variables = {
        bundle: options.bundle ?? null,
        cluster: options.cluster ?? null,
        phase: choice('--phase', options.phase, PHASES),
        health: choice('--health', options.health, HEALTHS),
        drifted: options.drifted ?? null,
        reason: options.reason ?? null,
      };
      const list = async (signal?: AbortSignal) =>
        fetchAllPages<BundleDeploymentNode>(hubClientFor(command, signal), listBundleDeploymentsQuery(), 'bundleDeployments', variables, limit);
      const first = await list();
      const name = (d: BundleDeploymentNode) => `bundledeployment/${d.bundle}/${d.cluster}`;
      if (!options.watch) {
        if (printRawList(format, first.nodes)) return;
        if (format === 'name') first.nodes.forEach((d) => process.stdout.write(`${name(d)}\n`));
        else if (first.nodes.length === 0) process.stderr.write('No bundle deployments found.\n');
        else {
          const { header, rows } = tableOf(format, first.nodes, Date.now());
          process.stdout.write(formatTable(header, rows).text);
        }
        if (first.totalCount > first.nodes.length) process.stderr.write(`(${first.nodes.length} of ${first.totalCount} bundle deployments)\n`);
        return;
      }

      await watchList({
        format,
        first: first.nodes,
        fetch: async (signal) => (await list(signal)).nodes,
        key: (d) => d.id,
        // observedAt moves with every repeated report; only a change of state is news.
        signature: (d) => JSON.stringify({ ...d, observedAt: null }),
        table: (items, now) => tableOf(format, items, now),
        name,
        what: 'bundle deployments',
        intervalMs,
      });
    });
  registerBundleDeploymentHistoryCommand(group);
}
