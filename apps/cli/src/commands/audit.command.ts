import { readFile } from 'node:fs/promises';
import { AuditLogRepository, type AuditChainHead } from '@flotilla/database';
import type { Command } from 'commander';
import { openCliDatabase } from '../cli-database.js';
import { CliError } from '../cli.error.js';

/** `flotilla audit verify`: recomputes the audit chain; exit code 1 names the first broken record. */
export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('the tamper-evident audit log')
    .command('verify')
    .description('recompute every hash of the audit log (and compare with a head kept outside the database)')
    .option('--head-file <file>', 'a head written by the hub (FLOTILLA_AUDIT_HEAD_FILE)')
    .action(async (options: { headFile?: string }) => {
      let head: AuditChainHead | undefined;
      if (options.headFile) {
        try {
          head = JSON.parse(await readFile(options.headFile, 'utf8')) as AuditChainHead;
        } catch (error) {
          throw new CliError(`--head-file: cannot read ${options.headFile}: ${(error as Error).message}`, 2);
        }
        if (typeof head?.id !== 'string' || typeof head.hash !== 'string') throw new CliError(`--head-file: ${options.headFile} holds no {id, hash}`, 2);
      }
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const result = await new AuditLogRepository(db.dataSource).verify(head);
        if (!result.valid) throw new CliError(`audit chain broken at record ${result.firstBrokenId}: ${result.problem} (${result.records} records checked)`);
        process.stdout.write(`audit chain valid: ${result.records} records, head ${result.head?.id ?? '-'} ${result.head?.hash ?? ''}\n`);
      } finally {
        await db.close();
      }
    });
}
