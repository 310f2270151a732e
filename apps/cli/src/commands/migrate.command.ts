import { appliedMigrations, migrateDown, migrateUp, migrations } from '@flotilla/database';
import type { Command } from 'commander';
import { openCliDatabase } from '../cli-database.js';

/** `flotilla migrate up|down|status`: the hub applies pending migrations itself at start; this is for operators. */
export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('apply, revert or list database migrations');

  migrate
    .command('up')
    .description('apply every pending migration')
    .action(async () => {
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const applied = await migrateUp(db.dataSource);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n');
      } finally {
        await db.close();
      }
    });

  migrate
    .command('down')
    .description('revert the newest applied migration')
    .action(async () => {
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const reverted = await migrateDown(db.dataSource);
        process.stdout.write(reverted ? `reverted: ${reverted}\n` : 'nothing to revert\n');
      } finally {
        await db.close();
      }
    });

  migrate
    .command('status')
    .description('list migrations and whether each is applied')
    .action(async () => {
      const db = await openCliDatabase(process.env, { migrate: false });
      try {
        const applied = new Set(await appliedMigrations(db.dataSource));
        for (const migration of migrations) {
          const name = migration.name;
          process.stdout.write(`${applied.has(name) ? 'applied ' : 'pending '} ${name}\n`);
        }
      } finally {
        await db.close();
      }
    });
}
