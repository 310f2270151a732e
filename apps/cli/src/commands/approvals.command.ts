import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList, printRawObject } from '../output/output-format.util.js';
import { cell, formatTable, oneLine, short } from '../output/print-table.util.js';

interface ApprovalNode {
  id: string;
  kind: string;
  bundleName: string | null;
  revision: string;
  sourceId: string;
  details: string;
  createdAt: string;
  decision: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

const FIELDS = 'id kind bundleName revision sourceId details createdAt decision decidedBy decidedAt';
const LIST = `query Approvals($first: Int!, $after: String, $pending: Boolean!) {
  approvals(first: $first, after: $after, pending: $pending) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } totalCount }
}`;
const DECIDE = {
  approve: `mutation Approve($id: ID!) { result: approveChange(id: $id) { ${FIELDS} } }`,
  reject: `mutation Reject($id: ID!) { result: rejectChange(id: $id) { ${FIELDS} } }`,
} as const;

/** `flotilla approvals list|approve|reject`: changes the safety valve holds (mass removals, revisions without bundles). */
export function registerApprovalsCommands(program: Command): void {
  const group = program.command('approvals').alias('approval').description('changes held by the safety valve until a person decides (over the hub API)');

  group
    .command('list')
    .alias('ls')
    .description('list changes waiting for a decision, newest first')
    .option('--all', 'decided ones too', false)
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .action(async (options: { all: boolean; output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['wide', 'json', 'yaml']);
      const { nodes } = await fetchAllPages<ApprovalNode>(hubClientFor(command), LIST, 'approvals', { pending: !options.all });
      if (printRawList(format, nodes)) return;
      if (nodes.length === 0) {
        process.stderr.write(options.all ? 'No held changes.\n' : 'No changes waiting for a decision.\n');
        return;
      }
      const now = Date.now();
      const wide = format === 'wide';
      const rows = nodes.map((a) => [a.id, a.kind, cell(a.bundleName), short(a.revision), a.decision ?? 'pending', ageSince(a.createdAt, now), oneLine(a.details, wide ? 400 : 80)]);
      process.stdout.write(formatTable(['id', 'kind', 'bundle', 'revision', 'decision', 'age', 'details'], rows).text);
    });

  for (const verb of ['approve', 'reject'] as const) {
    group
      .command(`${verb} <id>`)
      .description(verb === 'approve' ? 'approve a held change: the current revision is applied at once' : 'reject a held change: it stays held until a newer commit')
      .addOption(outputOption(['json', 'yaml']))
      .action(async (id: string, options: { output?: string }, command: Command) => {
        if (!/^\d{1,18}$/.test(id)) throw new CliError(`<id>: expected an approval id (digits, see "flotilla approvals list"), got "${id}"`, 2);
        const format = parseOutputFormat(options.output, ['json', 'yaml']);
        const { result } = await hubClientFor(command).request<{ result: ApprovalNode }>(DECIDE[verb], { id });
        if (!printRawObject(format, result)) process.stdout.write(`approval/${result.id} ${result.decision ?? verb}\n`);
      });
  }
}
