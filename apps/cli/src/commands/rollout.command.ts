import type { Command } from 'commander';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption, nameArgument, rolloutIdArgument } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList, printRawObject } from '../output/output-format.util.js';
import { cell, formatTable, oneLine, short } from '../output/print-table.util.js';
import { registerRolloutStatusCommand, ROLLOUT_FIELDS, type RolloutNode } from './rollout-status.command.js';

const LIST_ROLLOUTS = `query Rollouts($first: Int!, $after: String, $bundle: String, $state: String) {
  rollouts(first: $first, after: $after, bundle: $bundle, state: $state) {
    nodes { ${ROLLOUT_FIELDS} }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

const CONTROL = {
  pause: `mutation Pause($id: ID!) { result: pauseRollout(rolloutId: $id) { ${ROLLOUT_FIELDS} } }`,
  resume: `mutation Resume($id: ID!) { result: resumeRollout(rolloutId: $id) { ${ROLLOUT_FIELDS} } }`,
  abort: `mutation Abort($id: ID!) { result: abortRollout(rolloutId: $id) { ${ROLLOUT_FIELDS} } }`,
  rollback: `mutation Rollback($id: ID!) { result: rollbackRollout(rolloutId: $id) { ${ROLLOUT_FIELDS} } }`,
} as const;
const APPROVE = `mutation Approve($id: ID!, $wave: String!, $expires: Int) {
  result: approveRolloutWave(rolloutId: $id, wave: $wave, expiresInMinutes: $expires) { ${ROLLOUT_FIELDS} }
}`;
const RETRY = `mutation Retry($bundle: String!) { result: retryRollout(bundle: $bundle) { ${ROLLOUT_FIELDS} } }`;

const progressOf = (rollout: RolloutNode) => {
  const total = rollout.waves.reduce((sum, wave) => sum + wave.clusters, 0);
  const done = rollout.waves.reduce((sum, wave) => sum + wave.done, 0);
  return `${done}/${total}`;
};

/** `flotilla rollout …`: the progressive rollouts of bundles, and the hands on them. */
export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').alias('rollouts').description('progressive rollouts: list, watch, pause, resume, approve, rollback, retry (over the hub API)');

  rollout
    .command('list')
    .alias('ls')
    .description('list rollouts, newest first')
    .option('--bundle <name>', 'only the rollouts of this bundle')
    .option('--state <phase>', 'only rollouts in this phase (e.g. Progressing, Paused, WaitingForApproval, Succeeded, Failed)')
    .addOption(outputOption())
    .option('--limit <n>', 'at most this many rollouts', '50')
    .action(async (options: { bundle?: string; state?: string; output?: string; limit: string }, command: Command) => {
      const format = parseOutputFormat(options.output);
      const limit = intOption('--limit', options.limit, 1, 1_000_000);
      const page = await fetchAllPages<RolloutNode>(hubClientFor(command), LIST_ROLLOUTS, 'rollouts', { bundle: options.bundle ?? null, state: options.state ?? null }, limit);
      if (printRawList(format, page.nodes)) return;
      if (format === 'name') {
        page.nodes.forEach((r) => process.stdout.write(`rollout/${r.id}\n`));
        return;
      }
      if (page.nodes.length === 0) {
        process.stderr.write('No rollouts found.\n');
        return;
      }
      const wide = format === 'wide';
      const now = Date.now();
      const rows = page.nodes.map((r) => [
        r.id,
        r.bundle,
        short(r.revision),
        r.phase,
        cell(r.currentWave),
        progressOf(r),
        ageSince(r.createdAt, now),
        ...(wide ? [ageSince(r.updatedAt, now), oneLine(r.reason, 200)] : []),
      ]);
      process.stdout.write(formatTable(['id', 'bundle', 'revision', 'phase', 'wave', 'done', 'age', ...(wide ? ['updated', 'reason'] : [])], rows).text);
      if (page.totalCount > page.nodes.length) process.stderr.write(`(${page.nodes.length} of ${page.totalCount} rollouts; --limit shows more)\n`);
    });

  registerRolloutStatusCommand(rollout);

  const control = (verb: keyof typeof CONTROL, description: string, done: string) =>
    rollout
      .command(`${verb} <id>`)
      .description(description)
      .addOption(outputOption(['json', 'yaml']))
      .action(async (id: string, options: { output?: string }, command: Command) => {
        const format = parseOutputFormat(options.output, ['json', 'yaml']);
        const { result } = await hubClientFor(command).request<{ result: RolloutNode }>(CONTROL[verb], { id: rolloutIdArgument(id) });
        if (!printRawObject(format, result)) process.stdout.write(`rollout/${result.id} ${done} (phase ${result.phase})\n`);
      });
  control('pause', 'stop admitting clusters; what is done stays', 'paused');
  control('resume', 'resume a paused rollout', 'resumed');
  control('abort', 'end the rollout where it is; the bundle stays pinned until a newer commit or a retry', 'aborted');
  control('rollback', 'roll back: every touched cluster gets a new generation with its previous content', 'rolling back');

  rollout
    .command('approve <id> <wave>')
    .description('approve a wave of a rollout (also before it is reached)')
    .option('--expires-in-minutes <minutes>', 'the approval lapses after this long (1-10080)')
    .addOption(outputOption(['json', 'yaml']))
    .action(async (id: string, wave: string, options: { expiresInMinutes?: string; output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const expires = intOption('--expires-in-minutes', options.expiresInMinutes, 1, 10_080) ?? null;
      const { result } = await hubClientFor(command).request<{ result: RolloutNode }>(APPROVE, { id: rolloutIdArgument(id), wave, expires });
      if (!printRawObject(format, result)) process.stdout.write(`rollout/${result.id} wave ${wave} approved (phase ${result.phase})\n`);
    });

  rollout
    .command('retry <bundle>')
    .description("start the bundle's current content again after a failed, rolled-back or aborted rollout")
    .addOption(outputOption(['json', 'yaml']))
    .action(async (bundle: string, options: { output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const { result } = await hubClientFor(command).request<{ result: RolloutNode[] }>(RETRY, { bundle: nameArgument('<bundle>', bundle) });
      if (printRawList(format, result)) return;
      for (const started of result) process.stdout.write(`rollout/${started.id} started for bundle ${started.bundle} (phase ${started.phase})\n`);
      if (result.length === 0) process.stdout.write(`bundle ${bundle}: nothing to roll out\n`);
    });
}
