/** One line of `git ls-tree -r -z -l`. */
export interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly oid: string;
  /** Undefined for submodules (commits), which have no size. */
  readonly size: number | undefined;
  /** Relative to the repository root. */
  readonly path: string;
}

export const MODE_SYMLINK = '120000';
export const MODE_SUBMODULE = '160000';

/** Parses NUL-terminated `ls-tree -l` records: `<mode> <type> <oid> <size>\t<path>`. */
export function parseLsTree(output: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf(0, start);
    if (end < 0) end = output.length;
    const record = output.subarray(start, end).toString('utf8');
    start = end + 1;
    if (record.length === 0) continue;
    const tab = record.indexOf('\t');
    const match = /^(\d{6}) (\S+) ([0-9a-f]{40,64}) +(\S+)$/.exec(record.slice(0, tab));
    if (tab < 0 || !match) throw new Error(`unexpected ls-tree record: ${record.slice(0, 200)}`);
    entries.push({
      mode: match[1]!,
      type: match[2]!,
      oid: match[3]!,
      size: match[4] === '-' ? undefined : Number(match[4]),
      path: record.slice(tab + 1),
    });
  }
  return entries;
}
