import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** An OS identity whose file access is checked by hand (root passes every access() call). */
export interface PosixIdentity {
  readonly uid: number;
  readonly gids: readonly number[];
}

/**
 * The first directory on the way to `path` that `who` may not enter, or undefined when every
 * ancestor grants search (x) permission. Directories that do not exist yet are skipped: they will
 * be created by root with mode 0755 or handed over to `who`.
 */
export async function firstUnreachableAncestor(path: string, who: PosixIdentity): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) return undefined;
    if (!info.isDirectory()) continue;
    const mode = info.mode;
    const canSearch =
      info.uid === who.uid ? (mode & 0o100) !== 0 : who.gids.includes(info.gid) ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!canSearch) return dir;
  }
  return undefined;
}
