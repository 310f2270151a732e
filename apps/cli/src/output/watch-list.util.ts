import { EXIT } from '../cli.error.js';
import { printRawObject, type OutputFormat } from './output-format.util.js';
import { formatTable, type ColumnWidths } from './print-table.util.js';
import { watchUntil } from './watch.util.js';

/** How `kubectl get -w` style watching prints one kind of item. */
export interface WatchListSpec<T> {
  readonly format: OutputFormat;
  /** The list as first fetched. */
  readonly first: readonly T[];
  /** The list again; the signal aborts the request on Ctrl-C. */
  readonly fetch: (signal: AbortSignal) => Promise<readonly T[]>;
  readonly key: (item: T) => string;
  /** What counts as a change (leave out times that move on their own, such as heartbeats). */
  readonly signature: (item: T) => string;
  readonly table: (items: readonly T[], now: number) => { header: string[]; rows: string[][] };
  readonly name: (item: T) => string;
  readonly what: string;
  readonly intervalMs: number;
}

/**
 * Prints the list, then every item again whenever it changes, until Ctrl-C (exit code 130). Table rows keep the
 * first table's column widths; JSON and YAML print one object per change.
 */
export async function watchList<T>(spec: WatchListSpec<T>): Promise<void> {
  const seen = new Map<string, string>();
  let widths: ColumnWidths | undefined;
  const changedIn = (items: readonly T[]) =>
    items.filter((item) => {
      const signature = spec.signature(item);
      const changed = seen.get(spec.key(item)) !== signature;
      seen.set(spec.key(item), signature);
      return changed;
    });
  const emit = (changed: readonly T[]) => {
    if (changed.length === 0) return;
    if (printRawObject(spec.format, changed[0])) changed.slice(1).forEach((item) => printRawObject(spec.format, item));
    else if (spec.format === 'name') changed.forEach((item) => process.stdout.write(`${spec.name(item)}\n`));
    else {
      const { header, rows } = spec.table(changed, Date.now());
      const table = formatTable(header, rows, widths);
      widths ??= table.widths;
      process.stdout.write(table.text);
    }
  };
  if (spec.first.length === 0 && spec.format !== 'json' && spec.format !== 'yaml') process.stderr.write(`No ${spec.what} found yet; watching.\n`);
  emit(changedIn(spec.first));
  const end = await watchUntil(async (signal) => {
    emit(changedIn(await spec.fetch(signal)));
    return false;
  }, spec.intervalMs);
  if (end === 'interrupted') process.exitCode = EXIT.interrupted;
}
