import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption, nameArgument } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList } from '../output/output-format.util.js';
import { formatTable, oneLine, short } from '../output/print-table.util.js';

interface BundleNode {
  id: string;
  name: string;
  path: string;
  sourceId: string;
  goodRevision: string | null;
  error: string | null;
  errorRevision: string | null;
  removed: boolean;
  updatedAt: string;
  spec: unknown;
}

const LIST_BUNDLES = `query Bundles($first: Int!, $after: String, $sourceId: ID, $search: String) {
  bundles(first: $first, after: $after, sourceId: $sourceId, search: $search) {
    nodes { id name path sourceId goodRevision error errorRevision removed updatedAt spec }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

const SUSPEND = `mutation Suspend($bundle: String!, $cluster: String) { changed: suspendBundle(bundle: $bundle, cluster: $cluster) }`;
const RESUME = `mutation Resume($bundle: String!, $cluster: String) { changed: resumeBundle(bundle: $bundle, cluster: $cluster) }`;

const LIST_SOURCES = `query Sources($first: Int!, $after: String) {
  sources(first: $first, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } totalCount }
}`;

/** `flotilla bundles list`: the bundles the hub found in its sources, with their errors. */
export function registerBundlesCommands(program: Command): void {
  const bundles = program.command('bundles').alias('bundle').description('the bundles found in the sources: list, suspend, resume (over the hub API)');
  bundles
    .command('list')
    .alias('ls')
    .description('list bundles with the revision they are good at and their error, if any')
    .option('--source <name>', 'only the bundles of this source (its name or id)')
    .option('--search <text>', 'only bundles whose name contains this text')
    .addOption(outputOption())
    .option('--limit <n>', 'at most this many bundles')
    .action(async (options: { source?: string; search?: string; output?: string; limit?: string }, command: Command) => {
      const format = parseOutputFormat(options.output);
      const limit = intOption('--limit', options.limit, 1, 1_000_000);
      const client = hubClientFor(command);
      const sources = new Map((await fetchAllPages<{ id: string; name: string }>(client, LIST_SOURCES, 'sources', {})).nodes.map((s) => [s.id, s.name]));
      let sourceId: string | null = null;
      if (options.source !== undefined) {
        sourceId = sources.has(options.source) ? options.source : ([...sources].find(([, name]) => name === options.source)?.[0] ?? null);
        if (sourceId === null) throw new CliError(`--source: the hub has no source named "${options.source}"`, 1);
      }
      const page = await fetchAllPages<BundleNode>(client, LIST_BUNDLES, 'bundles', { sourceId, search: options.search ?? null }, limit);
      if (printRawList(format, page.nodes)) return;
      if (format === 'name') {
        for (const bundle of page.nodes) process.stdout.write(`bundle/${bundle.name}\n`);
        return;
      }
      if (page.nodes.length === 0) {
        process.stderr.write('No bundles found.\n');
        return;
      }
      const wide = format === 'wide';
      const now = Date.now();
      const rows = page.nodes.map((bundle) => [
        bundle.name,
        sources.get(bundle.sourceId) ?? bundle.sourceId,
        bundle.path || '/',
        short(bundle.goodRevision),
        bundle.removed ? 'Removed' : bundle.error ? 'Error' : bundle.goodRevision ? 'Ready' : 'Pending',
        ageSince(bundle.updatedAt, now),
        ...(wide ? [short(bundle.errorRevision), oneLine(bundle.error, 200), bundle.id] : []),
      ]);
      const header = ['name', 'source', 'path', 'revision', 'status', 'updated', ...(wide ? ['error revision', 'error', 'id'] : [])];
      process.stdout.write(formatTable(header, rows).text);
      if (page.totalCount > page.nodes.length) process.stderr.write(`(${page.nodes.length} of ${page.totalCount} bundles)\n`);
    });

  bundles
    .command('suspend <bundle>')
    .description('stop delivering and correcting a bundle, everywhere or on one cluster (status still flows); survives new commits until resume')
    .option('--cluster <name>', 'only on this cluster')
    .action(async (bundle: string, options: { cluster?: string }, command: Command) => {
      const { changed } = await hubClientFor(command).request<{ changed: boolean }>(SUSPEND, {
        bundle: nameArgument('<bundle>', bundle),
        cluster: options.cluster === undefined ? null : nameArgument('--cluster', options.cluster),
      });
      const where = options.cluster ? `on cluster/${options.cluster}` : 'on every cluster';
      process.stdout.write(`bundle/${bundle} ${changed ? 'suspended' : 'was already suspended'} ${where}\n`);
    });

  bundles
    .command('resume <bundle>')
    .description('lift a suspension set by "bundles suspend" (the same bundle and --cluster); a suspend: true in Git stays')
    .option('--cluster <name>', 'the cluster the suspension was set on')
    .action(async (bundle: string, options: { cluster?: string }, command: Command) => {
      const { changed } = await hubClientFor(command).request<{ changed: boolean }>(RESUME, {
        bundle: nameArgument('<bundle>', bundle),
        cluster: options.cluster === undefined ? null : nameArgument('--cluster', options.cluster),
      });
      const where = options.cluster ? `on cluster/${options.cluster}` : 'fleet-wide';
      process.stdout.write(`bundle/${bundle} ${changed ? 'resumed' : 'had no suspension to lift'} ${where}\n`);
    });
}
