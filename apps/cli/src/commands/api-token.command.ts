import { Option, type Command } from 'commander';
import { CliError } from '../cli.error.js';
import { fetchAllPages } from '../hub-api/fetch-all-pages.util.js';
import { hubClientFor, intOption } from '../hub-api/hub-command.util.js';
import { ageSince } from '../output/format-age.util.js';
import { outputOption, parseOutputFormat, printRawList, printRawObject } from '../output/output-format.util.js';
import { formatTable } from '../output/print-table.util.js';

interface ApiTokenNode {
  id: string;
  name: string;
  role: string;
  displayPrefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const FIELDS = 'id name role displayPrefix createdBy createdAt expiresAt revokedAt lastUsedAt';
const CREATE = `mutation Create($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { ${FIELDS} } } }`;
const LIST = `query Tokens($first: Int!, $after: String) { apiTokens(first: $first, after: $after) { nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } totalCount } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiToken(id: $id) { ${FIELDS} } }`;

const stateOf = (token: ApiTokenNode, now: number) =>
  token.revokedAt ? 'revoked' : token.expiresAt && Date.parse(token.expiresAt) <= now ? 'expired' : 'active';

/**
 * `flotilla api-token create|list|revoke`: API tokens through the hub (needs an admin token; audited like every
 * mutation). `flotilla token …` does the same straight in the database, for the first admin token or recovery.
 */
export function registerApiTokenCommands(program: Command): void {
  const group = program.command('api-token').description('manage API tokens through the hub (admin role; audited); see "token" for the database path');

  group
    .command('create')
    .description('create an API token and print its secret (shown once) on stdout')
    .addOption(new Option('--role <role>', 'what the token may do').choices(['viewer', 'operator', 'admin']).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what uses the token (1-100 characters)')
    .option('--expires-in-days <days>', 'expire after this many days (default: never)')
    .addOption(outputOption(['json', 'yaml']))
    .action(async (options: { role: string; name: string; expiresInDays?: string; output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const expiresInDays = intOption('--expires-in-days', options.expiresInDays, 1, 3650) ?? null;
      const name = options.name.trim();
      if (name.length < 1 || name.length > 100) throw new CliError('--name: must be 1-100 characters', 2);
      const { createApiToken } = await hubClientFor(command).request<{ createApiToken: { token: string; apiToken: ApiTokenNode } }>(CREATE, {
        input: { name, role: options.role, expiresInDays },
      });
      if (printRawObject(format, createApiToken)) return;
      process.stderr.write(`created ${createApiToken.apiToken.role} token "${createApiToken.apiToken.name}" (id ${createApiToken.apiToken.id}); the secret is shown once:\n`);
      process.stdout.write(`${createApiToken.token}\n`);
    });

  group
    .command('list')
    .alias('ls')
    .description('list API tokens, revoked ones included (never their secrets)')
    .addOption(outputOption(['json', 'yaml']))
    .action(async (options: { output?: string }, command: Command) => {
      const format = parseOutputFormat(options.output, ['json', 'yaml']);
      const { nodes } = await fetchAllPages<ApiTokenNode>(hubClientFor(command), LIST, 'apiTokens', {});
      if (printRawList(format, nodes)) return;
      const now = Date.now();
      const rows = nodes.map((t) => [t.id, t.name, t.role, `${t.displayPrefix}…`, stateOf(t, now), t.createdBy, ageSince(t.lastUsedAt, now), ageSince(t.createdAt, now)]);
      process.stdout.write(formatTable(['id', 'name', 'role', 'prefix', 'state', 'created by', 'last used', 'age'], rows).text);
    });

  group
    .command('revoke <id>')
    .description('revoke an API token at once')
    .action(async (id: string, _options: unknown, command: Command) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`<id>: expected a token id (UUID, see "flotilla api-token list"), got "${id}"`, 2);
      const { revokeApiToken } = await hubClientFor(command).request<{ revokeApiToken: ApiTokenNode }>(REVOKE, { id });
      process.stdout.write(`api-token/${revokeApiToken.id} ("${revokeApiToken.name}") revoked\n`);
    });
}
