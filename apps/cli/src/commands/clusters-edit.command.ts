import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { hubClientFor, nameArgument } from '../hub-api/hub-command.util.js';
import { outputOption, parseOutputFormat, printRawObject } from '../output/output-format.util.js';
import { mergeLabels, parseLabelChanges } from '../selectors/parse-label-changes.util.js';
import { CLUSTER_FIELDS, type ClusterNode } from './clusters-list.command.js';

const REGISTER = `mutation Register($name: String!, $labels: [LabelInput!]) {
  registerCluster(name: $name, labels: $labels) { bootstrapToken bootstrapTokenExpiresAt installManifest cluster { ${CLUSTER_FIELDS} } }
}`;
const GET = `query Cluster($name: String!) { cluster(name: $name) { ${CLUSTER_FIELDS} } }`;
const SET_LABELS = `mutation SetLabels($name: String!, $labels: [LabelInput!]!) { setClusterLabels(name: $name, labels: $labels) { ${CLUSTER_FIELDS} } }`;
const DELETE = `mutation Delete($name: String!) { deleteCluster(name: $name) { ${CLUSTER_FIELDS} } }`;

interface Registered {
  bootstrapToken: string;
  bootstrapTokenExpiresAt: string;
  installManifest: string;
  cluster: ClusterNode;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--label k=v` values (repeatable, or comma-separated) as GraphQL LabelInputs; a malformed one is a usage error. */
function labelInputs(raw: readonly string[]): { key: string; value: string }[] {
  const labels = new Map<string, string>();
  for (const item of raw.flatMap((value) => value.split(','))) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new CliError(`--label "${item}": expected key=value`, 2);
    const key = item.slice(0, equals).trim();
    if (labels.has(key)) throw new CliError(`--label: "${key}" is given more than once`, 2);
    labels.set(key, item.slice(equals + 1).trim());
  }
  return [...labels].map(([key, value]) => ({ key, value }));
}

/** `flotilla clusters add|label|rm`: registration with the agent install manifest, kubectl-style labels, removal. */
export function registerClustersEditCommands(clusters: Command): void {
  clusters
    .command('add <name>')
    .alias('register')
    .description(
      'register a cluster (or an existing one again: a new bootstrap token) and print the agent install manifest for ' +
        '"kubectl apply -f -" in that cluster; it holds a single-use bootstrap token',
    )
    .option('--label <key=value>', 'a label of the cluster (repeatable, or comma-separated); replaces its labels when given', collect, [])
    .option('-f, --file <file>', 'write the manifest to this file (mode 600) instead of stdout')
    .action(async (name: string, options: { label: string[]; file?: string }, command: Command) => {
      nameArgument('<name>', name);
      const labels = options.label.length > 0 ? labelInputs(options.label) : null;
      const { registerCluster } = await hubClientFor(command).request<{ registerCluster: Registered }>(REGISTER, { name, labels });
      if (options.file) {
        try {
          await writeFile(options.file, registerCluster.installManifest, { mode: 0o600 });
        } catch (error) {
          throw new CliError(`--file: cannot write ${options.file}: ${(error as Error).message}; the bootstrap token issued is unused, run "clusters add" again`, 1);
        }
      } else {
        process.stdout.write(registerCluster.installManifest.endsWith('\n') ? registerCluster.installManifest : `${registerCluster.installManifest}\n`);
      }
      process.stderr.write(
        `cluster/${registerCluster.cluster.name} registered (uid ${registerCluster.cluster.id}); its bootstrap token expires at ${registerCluster.bootstrapTokenExpiresAt}.\n` +
          `Install the agent in that cluster: ${options.file ? `kubectl apply -f ${options.file}` : 'pipe this output to "kubectl apply -f -"'}\n`,
      );
    });

  clusters
    .command('label <name> <changes...>')
    .description('add, change or remove labels of a cluster, as kubectl label does: key=value sets, key- removes')
    .option('--overwrite', 'allow changing the value of an existing label', false)
    .addOption(outputOption(['json', 'yaml']))
    .action(async (name: string, changes: string[], options: { overwrite: boolean; output?: string }, command: Command) => {
      nameArgument('<name>', name);
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const parsed = parseLabelChanges(changes);
      const client = hubClientFor(command);
      const { cluster } = await client.request<{ cluster: ClusterNode }>(GET, { name });
      const current = Object.fromEntries(cluster.labels.map((label) => [label.key, label.value]));
      const merged = mergeLabels(current, parsed, options.overwrite);
      for (const key of merged.missing) process.stderr.write(`label "${key}" not found on cluster/${name}\n`);
      const unchanged = JSON.stringify(Object.entries(merged.labels).sort()) === JSON.stringify(Object.entries(current).sort());
      let result = cluster;
      if (!unchanged) {
        const labels = Object.entries(merged.labels).map(([key, value]) => ({ key, value }));
        result = (await client.request<{ setClusterLabels: ClusterNode }>(SET_LABELS, { name, labels })).setClusterLabels;
      }
      if (!printRawObject(format, result)) process.stdout.write(`cluster/${name} ${unchanged ? 'not labeled (no change)' : 'labeled'}\n`);
    });

  clusters
    .command('rm <name>')
    .alias('delete')
    .description('delete a cluster record and its bundle deployments (its workloads are orphaned, not deleted)')
    .action(async (name: string, _options: unknown, command: Command) => {
      nameArgument('<name>', name);
      await hubClientFor(command).request<{ deleteCluster: ClusterNode }>(DELETE, { name });
      process.stdout.write(`cluster/${name} deleted\n`);
    });
}
