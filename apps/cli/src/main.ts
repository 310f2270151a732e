import { Command, CommanderError } from 'commander';
import { CliError } from './cli.error.js';
import { registerApiTokenCommands } from './commands/api-token.command.js';
import { registerApprovalsCommands } from './commands/approvals.command.js';
import { registerBundleDeploymentsCommands } from './commands/bundle-deployments.command.js';
import { registerBundlesCommands } from './commands/bundles.command.js';
import { registerClustersCommands } from './commands/clusters.command.js';
import { registerDriftCommand } from './commands/drift.command.js';
import { registerRolloutCommands } from './commands/rollout.command.js';
import { registerStatusCommand } from './commands/status.command.js';

/** Commands that only talk to the hub over HTTP: they start without loading the database, render or demo code. */
const HUB_COMMANDS = new Set([
  'status', 'clusters', 'cluster', 'bundles', 'bundle', 'bundle-deployments', 'bd', 'drift', 'rollout', 'rollouts', 'approvals', 'approval', 'api-token',
]);
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--hub', '--token', '--context', '--chunk-size']);

/** The command word of an argument list: the first word that is neither an option nor a global option's value. */
function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    if (GLOBAL_OPTIONS_WITH_VALUE.has(args[i]!)) i += 1;
    else if (!args[i]!.startsWith('-')) return args[i];
  }
  return undefined;
}

const HELP_AFTER = `
Hub commands (status, clusters, bundles, bundle-deployments, drift, rollout, approvals, api-token) talk to a running
hub over its GraphQL API. The hub address and the token are each taken from the first of:
  1. --hub URL / --token TOKEN
  2. FLOTILLA_HUB_URL / FLOTILLA_TOKEN
  3. the config file: FLOTILLA_CONFIG, else $XDG_CONFIG_HOME/flotilla/config.yaml, else ~/.config/flotilla/config.yaml;
     its context from --context, FLOTILLA_CONTEXT or currentContext:
       currentContext: prod
       contexts:
         prod: {hub: https://flotilla.example.com, tokenFile: /run/secrets/flotilla-token}
         demo: {hub: http://127.0.0.1:8080, token: flt_...}
     (without contexts, top-level hub, token and tokenFile keys are used)
  4. http://127.0.0.1:8080 and, only with that default address, the admin token that "flotilla demo" wrote to
     ./.flotilla/demo/admin-token (run from the directory where the demo runs).
The token, migrate, key and audit commands work on the database directly (DATABASE_URL or the embedded one):
"token create" makes the first admin token there; "api-token" does the same through the hub, audited.

Exit codes:
  0    done
  1    the hub (or the database) refused or failed: its message and error code are printed on stderr
  2    usage error: unknown command or flag, bad value, bad label selector, bad configuration
  3    cannot reach the hub, it did not answer as a Flotilla hub, or it did not accept the token
  130  a --watch ended by Ctrl-C
A --watch polls the hub every --interval seconds and keeps trying for up to 60 s while it cannot reach the hub (a
restart), saying so on stderr.
`;

/** Exit codes scripts can rely on: see HELP_AFTER and EXIT in cli.error.ts. */
const program = new Command('flotilla')
  .description('Flotilla: a GitOps hub for fleets of Kubernetes clusters')
  .option('--hub <url>', 'the hub URL (default: see "flotilla --help")')
  .option('--token <token>', 'the API token for the hub (others can see flags in the process list: prefer FLOTILLA_TOKEN or the config file)')
  .option('--context <name>', 'the context of the config file to use')
  .option('--chunk-size <n>', 'lists: fetch this many items a request, following the cursors (1-500)', '500')
  .addHelpText('after', HELP_AFTER)
  .configureHelp({ showGlobalOptions: true })
  .exitOverride()
  .showHelpAfterError();

// `flotilla clusters list | head` closes stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

registerStatusCommand(program);
registerClustersCommands(program);
registerBundlesCommands(program);
registerBundleDeploymentsCommands(program);
registerDriftCommand(program);
registerRolloutCommands(program);
registerApprovalsCommands(program);
registerApiTokenCommands(program);

/** Set when the database library is loaded: its embedded-server errors are reported as one line. */
let isEmbeddedPostgresError = (_error: unknown): _error is Error => false;
if (!HUB_COMMANDS.has(commandWord(process.argv.slice(2)) ?? '')) {
  const [observability, database, token, migrate, key, audit, render, kubeSim, demo] = await Promise.all([
    import('@flotilla/observability'),
    import('@flotilla/database'),
    import('./commands/token.command.js'),
    import('./commands/migrate.command.js'),
    import('./commands/key.command.js'),
    import('./commands/audit.command.js'),
    import('./commands/render.command.js'),
    import('./commands/kube-sim.command.js'),
    import('./demo/demo.command.js'),
  ]);
  program.version(observability.FLOTILLA_VERSION, '-v, --version');
  isEmbeddedPostgresError = (error: unknown): error is Error => error instanceof database.EmbeddedPostgresError;
  token.registerTokenCommands(program);
  migrate.registerMigrateCommands(program);
  key.registerKeyCommands(program);
  audit.registerAuditCommands(program);
  render.registerRenderCommand(program);
  kubeSim.registerKubeSimCommand(program);
  demo.registerDemoCommand(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`flotilla: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (isEmbeddedPostgresError(error)) {
    process.stderr.write(`flotilla: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`flotilla: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
