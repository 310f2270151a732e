import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CliError } from './cli.error.js';

/** Bounds on what `flotilla render` reads from disk, the same defaults the hub applies to repositories. */
export interface DirectoryLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

export const DEFAULT_DIRECTORY_LIMITS: DirectoryLimits = { maxFiles: 10_000, maxFileBytes: 5 * 1024 * 1024, maxTotalBytes: 50 * 1024 * 1024 };

/**
 * Every regular file below `root`, keyed by its `/`-separated path relative to `root`. Symlinks are
 * followed only when they stay inside `root`; hidden directories (.git) are skipped.
 */
export async function readBundleDirectory(root: string, limits = DEFAULT_DIRECTORY_LIMITS): Promise<Map<string, Buffer>> {
  const base = await realpath(root).catch(() => {
    throw new CliError(`${root}: no such directory`);
  });
  if (!(await lstat(base)).isDirectory()) throw new CliError(`${root}: not a directory`);
  const files = new Map<string, Buffer>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      let target = path;
      if (entry.isSymbolicLink()) {
        target = await realpath(path).catch(() => {
          throw new CliError(`${relative(base, path)}: a broken symlink`);
        });
        if (target !== base && !target.startsWith(base + sep)) throw new CliError(`${relative(base, path)}: a symlink pointing outside the bundle directory`);
      }
      const info = await lstat(target);
      if (info.isDirectory()) {
        if (entry.isSymbolicLink()) throw new CliError(`${relative(base, path)}: a symlink to a directory is not followed`);
        await walk(path);
      } else if (info.isFile()) {
        if (files.size + 1 > limits.maxFiles) throw new CliError(`more than ${limits.maxFiles} files below ${root}`);
        if (info.size > limits.maxFileBytes) throw new CliError(`${relative(base, path)}: ${info.size} bytes is over the limit of ${limits.maxFileBytes}`);
        total += info.size;
        if (total > limits.maxTotalBytes) throw new CliError(`the files below ${root} exceed ${limits.maxTotalBytes} bytes`);
        files.set(relative(base, path).split(sep).join('/'), await readFile(target));
      }
    }
  };
  await walk(base);
  return files;
}
