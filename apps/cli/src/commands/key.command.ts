import { EncryptionKeyError, EncryptionKeyring } from '@flotilla/crypto';
import type { Command } from 'commander';
import { CliError } from '../cli.error.js';

/** `flotilla key generate`: a value for FLOTILLA_ENCRYPTION_KEY. Rotate by prepending a new key to the list. */
export function registerKeyCommands(program: Command): void {
  program
    .command('key')
    .description('encryption keys for secrets at rest')
    .command('generate')
    .description('print a new key for FLOTILLA_ENCRYPTION_KEY ("id:base64"); to rotate, put it first: NEW,OLD')
    .option('--id <id>', 'key id (a-z, 0-9, "-"; default: k<date>)')
    .action((options: { id?: string }) => {
      try {
        process.stdout.write(`${EncryptionKeyring.generateSpec(options.id)}\n`);
      } catch (error) {
        if (error instanceof EncryptionKeyError) throw new CliError(`--id: ${error.message}`, 2);
        throw error;
      }
    });
}
