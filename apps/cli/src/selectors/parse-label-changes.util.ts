import { CliError } from '../cli.error.js';

/** Label edits as `kubectl label` takes them: `key=value` sets, `key-` removes; each key at most once. */
export interface LabelChanges {
  readonly set: ReadonlyMap<string, string>;
  readonly remove: ReadonlySet<string>;
}

/** Parses `k=v` / `k-` arguments; anything else, or one key both set and removed, is a usage error (exit 2). */
export function parseLabelChanges(args: readonly string[]): LabelChanges {
  const set = new Map<string, string>();
  const remove = new Set<string>();
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals > 0) {
      const key = arg.slice(0, equals);
      if (set.has(key) || remove.has(key)) throw new CliError(`label "${key}" is given more than once`, 2);
      set.set(key, arg.slice(equals + 1));
    } else if (equals < 0 && arg.length > 1 && arg.endsWith('-')) {
      const key = arg.slice(0, -1);
      if (set.has(key) || remove.has(key)) throw new CliError(`label "${key}" is given more than once`, 2);
      remove.add(key);
    } else {
      throw new CliError(`"${arg}": expected key=value to set a label or key- to remove one`, 2);
    }
  }
  if (set.size === 0 && remove.size === 0) throw new CliError('give at least one label change: key=value or key-', 2);
  return { set, remove };
}

/** What applying changes to current labels gives, and what went wrong, in kubectl's terms. */
export interface MergedLabels {
  readonly labels: Record<string, string>;
  /** Keys asked to be removed that the object does not have (kubectl warns and goes on). */
  readonly missing: string[];
}

/**
 * Applies changes to the current labels. Changing the value of an existing label needs `overwrite`, as with
 * `kubectl label --overwrite`; without it the change is refused (exit 1) and nothing is stored.
 */
export function mergeLabels(current: Readonly<Record<string, string>>, changes: LabelChanges, overwrite: boolean): MergedLabels {
  const labels = { ...current };
  for (const [key, value] of changes.set) {
    if (!overwrite && key in labels && labels[key] !== value) {
      throw new CliError(`label "${key}" already has the value "${labels[key]}": pass --overwrite to change it`);
    }
    labels[key] = value;
  }
  const missing: string[] = [];
  for (const key of changes.remove) {
    if (key in labels) delete labels[key];
    else missing.push(key);
  }
  return { labels, missing };
}
