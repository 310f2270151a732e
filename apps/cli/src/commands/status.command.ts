import type { Command } from 'commander';
import { hubClientFor } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawObject } from '../output/output-format.util.js';
import { formatFields, formatTable, oneLine, short } from '../output/print-table.util.js';

interface CountBy {
  value: string;
  count: number;
}

interface FleetSummary {
  clusters: number;
  clustersByConnection: CountBy[];
  bundleDeployments: number;
  bundleDeploymentsByPhase: CountBy[];
  bundleDeploymentsByHealth: CountBy[];
  drifted: number;
  withErrors: number;
  waitingForAdmission: number;
  pendingApprovals: number;
  rolloutsByPhase: CountBy[];
  sources: { sourceId: string; name: string; revision: string | null; fetchedAt: string | null; lastError: string | null }[];
}

const FLEET = `query Fleet { version fleet {
  clusters clustersByConnection { value count }
  bundleDeployments bundleDeploymentsByPhase { value count } bundleDeploymentsByHealth { value count }
  drifted withErrors waitingForAdmission pendingApprovals rolloutsByPhase { value count }
  sources { sourceId name revision fetchedAt lastError }
} }`;

/** `A 1, B 2`, or `<none>` for nothing counted. */
const countsText = (by: readonly CountBy[]) => (by.length === 0 ? '<none>' : by.map((entry) => `${entry.value} ${entry.count}`).join(', '));
/** A total with its breakdown: `3 (Connected 1, Disconnected 2)`. */
const total = (count: number, by: readonly CountBy[]) => (by.length === 0 ? String(count) : `${count} (${countsText(by)})`);

/** `flotilla status`: the fleet summary in one answer of the hub. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('summary of the fleet: clusters, bundle deployments by phase and health, drift, errors, rollouts, sources')
    .addOption(outputOption(['json', 'yaml']))
    .action(async (options: { output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const client = hubClientFor(command);
      const { version, fleet } = await client.request<{ version: string; fleet: FleetSummary }>(FLEET);
      if (printRawObject(format, fleet)) return;
      const now = Date.now();
      const summary = formatFields([
          ['hub', `${client.settings.url} (version ${version})`],
          ['clusters', total(fleet.clusters, fleet.clustersByConnection)],
          ['bundle deployments', total(fleet.bundleDeployments, fleet.bundleDeploymentsByPhase)],
          ['health', countsText(fleet.bundleDeploymentsByHealth)],
          ['drifted', String(fleet.drifted)],
          ['with errors', String(fleet.withErrors)],
          ['waiting for admission', String(fleet.waitingForAdmission)],
          ['pending approvals', String(fleet.pendingApprovals)],
          ['rollouts', countsText(fleet.rolloutsByPhase)],
      ]);
      process.stdout.write(summary);
      if (fleet.sources.length > 0) {
        const sources = fleet.sources.map((source) => [source.name, short(source.revision), ageSince(source.fetchedAt, now), oneLine(source.lastError)]);
        process.stdout.write(`\n${formatTable(['source', 'revision', 'fetched', 'error'], sources).text}`);
      } else {
        process.stdout.write('\nNo sources yet: add one with the addSource mutation.\n');
      }
    });
}
