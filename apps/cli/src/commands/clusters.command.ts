import type { Command } from 'commander';
import { registerClustersEditCommands } from './clusters-edit.command.js';
import { registerClustersListCommand } from './clusters-list.command.js';

/** `flotilla clusters …`: the managed clusters of the hub, over its GraphQL API. */
export function registerClustersCommands(program: Command): void {
  const clusters = program.command('clusters').alias('cluster').description('list, register, label and remove managed clusters (over the hub API)');
  registerClustersListCommand(clusters);
  registerClustersEditCommands(clusters);
}
