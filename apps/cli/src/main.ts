import { Command, CommanderError } from 'commander';
import { EmbeddedPostgresError } from '@flotilla/database';
import { FLOTILLA_VERSION } from '@flotilla/observability';
import { CliError } from './cli.error.js';
import { registerAuditCommands } from './commands/audit.command.js';
import { registerDemoCommand } from './demo/demo.command.js';
import { registerKeyCommands } from './commands/key.command.js';
import { registerKubeSimCommand } from './commands/kube-sim.command.js';
import { registerMigrateCommands } from './commands/migrate.command.js';
import { registerRenderCommand } from './commands/render.command.js';
import { registerTokenCommands } from './commands/token.command.js';


/** Exit codes scripts can rely on: 0 done, 1 failed, 2 bad usage or configuration. */
const program = new Command('flotilla')
  .description('Flotilla: a GitOps hub for fleets of Kubernetes clusters')
  .version(FLOTILLA_VERSION, '-v, --version')
  .exitOverride()
  .showHelpAfterError();

registerTokenCommands(program);
registerMigrateCommands(program);
registerKeyCommands(program);
registerAuditCommands(program);
registerRenderCommand(program);
registerKubeSimCommand(program);
registerDemoCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`flotilla: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof EmbeddedPostgresError) {
    process.stderr.write(`flotilla: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`flotilla: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
