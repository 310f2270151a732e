import { ApiTokenRepository, API_ROLES, type ApiRole } from '@flotilla/database';
import type { Command } from 'commander';
import { openCliDatabase } from '../cli-database.js';
import { CliError } from '../cli.error.js';
import { formatTable } from '../output/print-table.util.js';

const DAY_MS = 86_400_000;

/** `flotilla token create|list|revoke`, straight against the database (for the first admin, or recovery). */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens directly in the database (DATABASE_URL or the embedded one)');

  token
    .command('create')
    .description('create an API token and print its secret (shown once) on stdout')
    .requiredOption('--role <role>', `one of ${API_ROLES.join(', ')}`)
    .option('--name <name>', 'who or what uses the token', 'cli')
    .option('--expires-in-days <days>', 'expire after this many days (default: never)')
    .action(async (options: { role: string; name: string; expiresInDays?: string }) => {
      if (!API_ROLES.includes(options.role as ApiRole)) throw new CliError(`--role: expected one of ${API_ROLES.join(', ')}, got "${options.role}"`, 2);
      const name = options.name.trim();
      if (name.length < 1 || name.length > 100) throw new CliError('--name: must be 1-100 characters', 2);
      let expiresAt: Date | null = null;
      if (options.expiresInDays !== undefined) {
        const days = Number(options.expiresInDays);
        if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CliError(`--expires-in-days: expected 1-3650, got "${options.expiresInDays}"`, 2);
        expiresAt = new Date(Date.now() + days * DAY_MS);
      }
      const db = await openCliDatabase(process.env, { migrate: true });
      try {
        const issued = await new ApiTokenRepository(db.dataSource).issue({ name, role: options.role as ApiRole, createdBy: 'cli', expiresAt });
        process.stderr.write(`created ${issued.record.role} token "${issued.record.name}" (id ${issued.record.id}); the secret is shown once:\n`);
        process.stdout.write(`${issued.token}\n`);
      } finally {
        await db.close();
      }
    });

  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .action(async () => {
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const rows = await new ApiTokenRepository(db.dataSource).list();
        const table = rows.map((row) => [
          row.id,
          row.name,
          row.role,
          row.displayPrefix + '…',
          row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= new Date() ? 'expired' : 'active',
          row.createdAt.toISOString(),
        ]);
        process.stdout.write(formatTable(['ID', 'NAME', 'ROLE', 'PREFIX', 'STATE', 'CREATED'], table).text);
      } finally {
        await db.close();
      }
    });

  token
    .command('revoke <id>')
    .description('revoke an API token at once')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`<id>: expected a token id (UUID), got "${id}"`, 2);
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const revoked = await new ApiTokenRepository(db.dataSource).revoke(id);
        if (!revoked) throw new CliError(`no API token has id ${id}`);
        process.stderr.write(`revoked token "${revoked.name}" (${revoked.id})\n`);
      } finally {
        await db.close();
      }
    });
}
