import { posix } from 'node:path';

/** Directories holding a `flotilla.yaml`, given every file path of a tree (`/`-separated, relative). */
export function discoverBundleDirs(paths: Iterable<string>): string[] {
  const dirs: string[] = [];
  for (const path of paths) {
    if (posix.basename(path) === 'flotilla.yaml') dirs.push(posix.dirname(path) === '.' ? '' : posix.dirname(path));
  }
  return dirs.sort();
}

/**
 * The files that belong to the bundle in `dir`: those below it, except those below a nested
 * bundle (which is a bundle of its own). Paths in the result are relative to `dir`.
 */
export function filesOfBundle<T>(dir: string, files: ReadonlyMap<string, T>, allBundleDirs: readonly string[]): Map<string, T> {
  const prefix = dir === '' ? '' : `${dir}/`;
  const nested = allBundleDirs.filter((other) => other !== dir && (dir === '' || other.startsWith(prefix))).map((other) => `${other}/`);
  const result = new Map<string, T>();
  for (const [path, content] of files) {
    if (!path.startsWith(prefix)) continue;
    if (nested.some((other) => path.startsWith(other))) continue;
    result.set(path.slice(prefix.length), content);
  }
  return result;
}
