// Command-line options and machine load for the benchmarks. Plain JavaScript, so that bench:agent,
// which runs without a TypeScript loader, can import it like the others.
import { readFile } from 'node:fs/promises';

/**
 * The integer value of `--name N` on the command line, or `fallback` when absent; anything that is
 * not an integer of at least `min` stops the benchmark with the option's name and what was given.
 */
export function integerOption(name, fallback, min = 1) {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name}: expected an integer of at least ${min}, got "${process.argv[at + 1]}"`);
  return value;
}

/** The 1, 5 and 15 minute load averages as `a/b/c`: how busy the machine was when a figure was taken. */
export async function loadavg() {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join('/');
}
