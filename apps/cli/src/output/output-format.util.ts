import { Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { CliError } from '../cli.error.js';

/** How a command prints: an aligned table, the wide table, the raw API objects as JSON or YAML, or names only. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

/** The `-o, --output` option of read commands (kubectl's formats that make sense here). */
export function outputOption(formats: readonly OutputFormat[] = ['wide', 'json', 'yaml', 'name']): Option {
  return new Option('-o, --output <format>', `output format: ${formats.join(', ')} (default: a table)`);
}

/** Checks `-o`; an unknown format is a usage error (exit 2). */
export function parseOutputFormat(raw: string | undefined, formats: readonly OutputFormat[] = ['wide', 'json', 'yaml', 'name']): OutputFormat {
  if (raw === undefined) return 'table';
  if (!(formats as readonly string[]).includes(raw)) throw new CliError(`--output: expected one of ${formats.join(', ')}, got "${raw}"`, 2);
  return raw as OutputFormat;
}

/** The raw API objects of a list, as `{"items": [...]}` (JSON) or a YAML document; true when it printed. */
export function printRawList(format: OutputFormat, items: readonly unknown[]): boolean {
  if (format === 'json') process.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(toYaml({ items }, { lineWidth: 0 }));
  else return false;
  return true;
}

/** One raw API object as JSON or YAML (a YAML document starts with `---`, so a watch prints a stream); true when it printed. */
export function printRawObject(format: OutputFormat, item: unknown): boolean {
  if (format === 'json') process.stdout.write(`${JSON.stringify(item, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(`---\n${toYaml(item, { lineWidth: 0 })}`);
  else return false;
  return true;
}
