import type { Command } from 'commander';
import { CliError } from '../cli.error.js';
import { HubClient } from './hub-client.js';
import { resolveHubSettings, type HubFlags } from './hub-settings.js';

/** The largest page the hub serves (MAX_PAGE_SIZE of its connections), and the default of --chunk-size. */
export const MAX_PAGE_SIZE = 500;

let warned = false;

/** A client for the hub the global flags, the environment or the config file name (see resolveHubSettings). */
export function hubClientFor(command: Command, signal?: AbortSignal): HubClient {
  const flags = command.optsWithGlobals<HubFlags & { chunkSize?: string }>();
  const pageSize = intOption('--chunk-size', flags.chunkSize, 1, MAX_PAGE_SIZE) ?? MAX_PAGE_SIZE;
  const settings = resolveHubSettings(flags, process.env);
  // A watch makes a client per poll: say each warning once.
  if (!warned) settings.warnings.forEach((warning) => process.stderr.write(`flotilla: warning: ${warning}\n`));
  warned = true;
  return new HubClient(settings, signal, pageSize);
}

/** A whole number from an option, within bounds; anything else is a usage error naming the option (exit 2). */
export function intOption(option: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`${option}: expected a whole number from ${min} to ${max}, got "${raw}"`, 2);
  }
  return value;
}

/** A rollout id as the hub issues them (digits); checked before asking, so a typo is a usage error (exit 2). */
export function rolloutIdArgument(raw: string): string {
  if (!/^\d{1,18}$/.test(raw)) throw new CliError(`<id>: expected a rollout id (digits, see "flotilla rollout list"), got "${raw}"`, 2);
  return raw;
}

/** A DNS-1123 name argument (clusters, bundles), checked so that a typo is a usage error rather than a lookup. */
export function nameArgument(what: string, raw: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) throw new CliError(`${what}: expected a DNS-1123 name (lowercase letters, digits, "-"), got "${raw}"`, 2);
  return raw;
}
