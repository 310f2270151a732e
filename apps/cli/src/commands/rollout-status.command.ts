import type { Command } from 'commander';
import { CliError, EXIT } from '../cli.error.js';
import type { HubClient } from '../hub-api/hub-client.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawObject } from '../output/output-format.util.js';
import { progressBar } from '../output/progress-bar.util.js';
import { cell, formatTable, oneLine, short, terminalSafe } from '../output/print-table.util.js';
import { watchUntil } from '../output/watch.util.js';

/** A rollout as the hub's GraphQL API answers it. */
export interface RolloutNode {
  id: string;
  bundle: string;
  revision: string;
  phase: string;
  currentWave: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  waves: RolloutWaveNode[];
}

/** One wave of a rollout; `members` only where asked for (the status command). */
interface RolloutWaveNode {
  name: string;
  state: string;
  clusters: number;
  pending: number;
  inProgress: number;
  done: number;
  failed: number;
  rolledBack: number;
  approvalRequired: boolean;
  approved: boolean;
  approvedUntil: string | null;
  members?: { cluster: string; state: string; generation: string | null; reason: string | null; since: string | null }[];
}

const WAVE_FIELDS = 'name state clusters pending inProgress done failed rolledBack approvalRequired approved approvedUntil';
/** The fields of a rollout every command asks for (not the per-cluster members: a list would fetch them all). */
export const ROLLOUT_FIELDS = `id bundle revision phase currentWave reason createdAt updatedAt waves { ${WAVE_FIELDS} }`;
const DETAIL_FIELDS = `id bundle revision phase currentWave reason createdAt updatedAt
  waves { ${WAVE_FIELDS} members { cluster state generation reason since } }`;

const BY_ID = `query Rollout($id: ID!) { rollout(id: $id) { ${DETAIL_FIELDS} } }`;
const NEWEST_OF_BUNDLE = `query NewestRollout($bundle: String!) { rollouts(first: 1, bundle: $bundle) { nodes { id } } }`;

/** Phases a rollout does not leave; a watch ends on them. */
const FINAL_PHASES = new Set(['Succeeded', 'RolledBack', 'Failed', 'Aborted', 'Superseded']);

/** The rollout a `status` argument names: digits are a rollout id, anything else a bundle (its newest rollout). */
async function fetchRollout(client: HubClient, idOrBundle: string): Promise<RolloutNode> {
  if (/^\d{1,18}$/.test(idOrBundle)) return (await client.request<{ rollout: RolloutNode }>(BY_ID, { id: idOrBundle })).rollout;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(idOrBundle)) throw new CliError(`<rollout>: expected a rollout id or a bundle name, got "${idOrBundle}"`, 2);
  const newest = (await client.request<{ rollouts: { nodes: { id: string }[] } }>(NEWEST_OF_BUNDLE, { bundle: idOrBundle })).rollouts.nodes[0];
  if (!newest) throw new CliError(`bundle "${idOrBundle}" has no rollouts`, 1);
  return (await client.request<{ rollout: RolloutNode }>(BY_ID, { id: newest.id })).rollout;
}

/** Cluster states worth a line of their own by default: those moving or gone wrong. */
const NOTABLE = new Set(['Admitted', 'Failed', 'RollingBack', 'RollbackFailed']);

const approvalOf = (wave: RolloutWaveNode) =>
  !wave.approvalRequired ? '-' : wave.approved ? `approved${wave.approvedUntil ? ` until ${wave.approvedUntil}` : ''}` : 'needed';

/** The status block: one line about the rollout, its reason, and a progress bar per wave. */
export function formatRolloutStatus(rollout: RolloutNode, allClusters = false, now = Date.now()): string {
  const total = rollout.waves.reduce((sum, wave) => sum + wave.clusters, 0);
  const done = rollout.waves.reduce((sum, wave) => sum + wave.done, 0);
  const where = rollout.currentWave ? `, wave ${rollout.currentWave}` : '';
  const lines = [
    `rollout/${rollout.id}  bundle ${rollout.bundle}  revision ${short(rollout.revision)}  ${rollout.phase}${where}  ${done}/${total} clusters done  (started ${ageSince(rollout.createdAt, now)} ago)\n`,
  ];
  if (rollout.reason) lines.push(`reason: ${terminalSafe(rollout.reason.replace(/\s+/g, ' '))}\n`);
  const rows = rollout.waves.map((wave) => [
    `${wave.name === rollout.currentWave && !FINAL_PHASES.has(rollout.phase) ? '> ' : '  '}${wave.name}`,
    progressBar(wave),
    `${wave.done}/${wave.clusters}`,
    String(wave.inProgress),
    String(wave.failed),
    String(wave.rolledBack),
    String(wave.pending),
    wave.state,
    approvalOf(wave),
  ]);
  lines.push(formatTable(['  wave', 'progress', 'done', 'in progress', 'failed', 'rolled back', 'pending', 'state', 'approval'], rows).text);
  const members = rollout.waves.flatMap((wave) =>
    (wave.members ?? [])
      .filter((m) => allClusters || NOTABLE.has(m.state))
      .sort((a, b) => a.cluster.localeCompare(b.cluster))
      .map((m) => ({ ...m, wave: wave.name })),
  );
  if (members.length > 0) {
    const clusterRows = members.map((m) => [m.cluster, m.wave, m.state, cell(m.generation), ageSince(m.since, now), oneLine(m.reason, 120)]);
    lines.push(`\n${formatTable(['cluster', 'wave', 'state', 'generation', 'since', 'reason'], clusterRows).text}`);
  }
  return lines.join('');
}

/** What a watch compares: the rollout without its clock-driven times. */
const signature = (rollout: RolloutNode) => JSON.stringify({ ...rollout, updatedAt: null });

/** `flotilla rollout status`: one rollout's progress, per wave; with --watch, live until it ends. */
export function registerRolloutStatusCommand(rollout: Command): void {
  rollout
    .command('status <rollout>')
    .description(
      'progress of a rollout (by id, or the newest of a bundle) with a bar per wave; with --watch, redrawn every poll ' +
        'until it ends: exit code 0 when it Succeeded, 1 when it ended otherwise (RolledBack, Failed, Aborted, Superseded), 130 on Ctrl-C',
    )
    .option('-w, --watch', 'follow the rollout until it ends', false)
    .option('--clusters', 'a line for every cluster (by default only those in progress or failed)', false)
    .option('--interval <seconds>', 'with --watch: seconds between polls of the hub', '1')
    .addOption(outputOption(['json', 'yaml']))
    .action(async (idOrBundle: string, options: { watch: boolean; clusters: boolean; interval: string; output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const intervalMs = (intOption('--interval', options.interval, 1, 3600) ?? 1) * 1000;
      let current = await fetchRollout(hubClientFor(command), idOrBundle);
      const print = (value: RolloutNode) => {
        if (!printRawObject(format, value)) process.stdout.write(formatRolloutStatus(value, options.clusters));
      };
      if (!options.watch) {
        print(current);
        return;
      }
      // A terminal gets the block redrawn in place; a pipe or file gets a new block only when something changed.
      const redraw = process.stdout.isTTY && format === 'table';
      let shownLines = 0;
      let shown = '';
      const show = (value: RolloutNode) => {
        if (redraw) {
          const block = formatRolloutStatus(value, options.clusters);
          process.stdout.write(`${shownLines > 0 ? `\x1b[${shownLines}A\x1b[J` : ''}${block}`);
          // Lines wider than the terminal wrap: count the rows they take, or the redraw would creep down the screen.
          const columns = process.stdout.columns || 80;
          shownLines = block.split('\n').slice(0, -1).reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / columns)), 0);
        } else if (signature(value) !== shown) {
          if (shown && format === 'table') process.stdout.write('\n');
          print(value);
        }
        shown = signature(value);
      };
      show(current);
      const id = current.id;
      const end = await watchUntil(async (signal) => {
        if (FINAL_PHASES.has(current.phase)) return true;
        current = (await hubClientFor(command, signal).request<{ rollout: RolloutNode }>(BY_ID, { id })).rollout;
        show(current);
        return FINAL_PHASES.has(current.phase);
      }, intervalMs);
      if (end === 'interrupted') {
        process.exitCode = EXIT.interrupted;
      } else if (current.phase !== 'Succeeded') {
        throw new CliError(`rollout/${current.id} ended ${current.phase}${current.reason ? `: ${terminalSafe(current.reason)}` : ''}`, 1);
      }
    });
}
