import { posix } from 'node:path';
import { CatFileBatch, type BatchObject } from './cat-file-batch.js';
import { resolveTreeEntries, type ResolvedFile } from './resolve-tree-entries.js';
import { GitError, GitErrorCode } from './git.error.js';
import { GitCommandError, runGit } from './run-git.util.js';
import { parseLsTree, type TreeEntry } from './tree-entry.util.js';
import { DEFAULT_TREE_LIMITS, type TreeLimits } from './tree-limits.js';
import { validateSubPath } from './validate-sub-path.util.js';

/** The files of one commit's sub-path, read from objects (no work tree), within the limits. */
export interface TreeSnapshot {
  readonly sha: string;
  /** Paths relative to the sub-path, "/"-separated; symlinks appear as the file they point at. */
  readonly files: Map<string, Buffer>;
}

/** Where to read (a bare repository and a fetched commit), what (a sub-path) and within which bounds. */
export interface ReadTreeOptions {
  readonly gitDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sha: string;
  readonly subPath: string;
  readonly limits?: Partial<TreeLimits>;
  /** The whole read, listing and blobs, must finish within this (default 60 s). */
  readonly timeoutMs?: number;
}

const LFS_POINTER = Buffer.from('version https://git-lfs.github.com/spec/');
const LFS_ATTRIBUTE = /(^|\s)filter\s*=\s*lfs(\s|$)/m;

/**
 * Reads the sub-path of a commit: `ls-tree -r -z -l` for paths, modes and sizes (so limits are
 * checked before any blob is read), then one `cat-file --batch` process for the contents.
 * Symlinks that stay inside the repository are followed (a link to a directory brings that
 * directory's files under the link's path). Refuses submodules, Git LFS (attributes or pointer
 * files), symlinks leaving the repository, and anything over the limits, each with a GitError
 * naming the path.
 */
export async function readTreeSnapshot(options: ReadTreeOptions): Promise<TreeSnapshot> {
  const limits: TreeLimits = { ...DEFAULT_TREE_LIMITS, ...options.limits };
  const subPath = validateSubPath(options.subPath);
  const sha = options.sha;
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitError(GitErrorCode.ReadFailed, `"${sha.slice(0, 80)}" is not a commit id`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;

  const entries = await listTree(options, subPath, limits, timeoutMs);
  const prefix = subPath === '' ? '' : `${subPath}/`;
  if (entries.length === 0) {
    throw new GitError(GitErrorCode.PathNotFound, `path "${subPath}" does not exist in commit ${sha.slice(0, 12)}`, { path: subPath });
  }
  if (entries.length === 1 && entries[0]!.path === subPath && subPath !== '') {
    throw new GitError(GitErrorCode.InvalidPath, `path "${subPath}" is a file, not a directory, in commit ${sha.slice(0, 12)}`, { path: subPath });
  }
  const batch = new CatFileBatch(options.gitDir, options.env, limits.maxFileBytes);
  const timer = setTimeout(() => batch.close(), Math.max(1, deadline - Date.now()));
  const failed = (error: unknown, path: string): GitError =>
    error instanceof GitError
      ? error
      : Date.now() >= deadline
        ? new GitError(GitErrorCode.ReadFailed, `reading "${subPath || '/'}" of commit ${sha.slice(0, 12)} took longer than ${timeoutMs} ms`, { path: subPath })
        : new GitError(GitErrorCode.ReadFailed, `reading "${path}" of commit ${sha.slice(0, 12)} failed: ${(error as Error).message}`, { path });
  try {
    // Only symlink targets are read here; every size is known before any other blob is.
    const resolved = await resolveTreeEntries(entries, { sha, gitDir: options.gitDir, env: options.env, batch, limits, timeoutMs }).catch((error: unknown) => {
      throw failed(error, subPath);
    });
    checkFiles(resolved, subPath, limits);
    await refuseLfsAttributes(batch, sha, subPath, resolved);
    const files = new Map<string, Buffer>();
    // All requests are written at once (pipelined); answers are settled so none is left unhandled.
    const reads = resolved.map((file) =>
      (file.content ? Promise.resolve<BatchObject>({ kind: 'object', oid: file.oid, type: 'blob', size: file.size, content: file.content }) : batch.read(file.oid)).then(
        (object) => ({ file, object }),
        (error: unknown) => ({ file, error }),
      ),
    );
    for (const read of reads) {
      const settled = await read;
      if ('error' in settled) throw failed(settled.error, settled.file.path);
      const { file, object } = settled;
      if (object.kind !== 'object') throw new GitError(GitErrorCode.ReadFailed, `"${file.path}" could not be read from the mirror (${object.kind})`, { path: file.path });
      if (object.content.length < 1_024 && object.content.subarray(0, LFS_POINTER.length).equals(LFS_POINTER)) {
        throw new GitError(GitErrorCode.Lfs, `"${file.path}" is a Git LFS pointer; Git LFS is not supported`, { path: file.path });
      }
      files.set(file.path.slice(prefix.length), object.content);
    }
    return { sha, files };
  } finally {
    clearTimeout(timer);
    batch.close();
  }
}

async function listTree(options: ReadTreeOptions, subPath: string, limits: TreeLimits, timeoutMs: number): Promise<TreeEntry[]> {
  try {
    const args = ['--git-dir', options.gitDir, 'ls-tree', '-r', '-z', '-l', '--full-tree', options.sha, '--', ...(subPath ? [subPath] : [])];
    // 4 KiB per entry is far above any real path; more output means more entries than allowed.
    const result = await runGit(args, { cwd: options.gitDir, env: options.env, timeoutMs, maxStdoutBytes: (limits.maxFiles + 1) * 4_096 });
    return parseLsTree(result.stdout);
  } catch (error) {
    if (error instanceof GitCommandError && error.killedFor === 'output') {
      throw tooMany(subPath, limits);
    }
    if (error instanceof GitCommandError) {
      const reason = /not a tree object|Not a valid object name/i.test(error.stderr) ? 'is not in the mirror' : `could not be listed: ${error.stderr.trim().split('\n').pop()}`;
      throw new GitError(GitErrorCode.ReadFailed, `commit ${options.sha.slice(0, 12)} ${reason}`);
    }
    throw error;
  }
}

/** The limits, checked on sizes alone (from ls-tree, or the resolved symlink targets). */
function checkFiles(files: readonly ResolvedFile[], subPath: string, limits: TreeLimits): void {
  if (files.length > limits.maxFiles) throw tooMany(subPath, limits);
  let total = 0;
  for (const file of files) {
    if (file.size > limits.maxFileBytes) {
      throw new GitError(GitErrorCode.LimitExceeded, `"${file.path}" is ${file.size} bytes, over the limit of ${limits.maxFileBytes} (maxFileBytes)`, {
        path: file.path,
        limit: 'maxFileBytes',
      });
    }
    total += file.size;
    if (total > limits.maxTotalBytes) {
      throw new GitError(GitErrorCode.LimitExceeded, `the files of "${subPath || '/'}" up to "${file.path}" hold more than ${limits.maxTotalBytes} bytes (maxTotalBytes)`, {
        path: file.path,
        limit: 'maxTotalBytes',
      });
    }
  }
}

function tooMany(path: string, limits: TreeLimits): GitError {
  return new GitError(GitErrorCode.LimitExceeded, `"${path || '/'}" holds more than ${limits.maxFiles} files (maxFiles)`, { path, limit: 'maxFiles' });
}

/** `.gitattributes` in the sub-path or above it that routes files through the LFS filter. */
async function refuseLfsAttributes(batch: CatFileBatch, sha: string, subPath: string, entries: readonly ResolvedFile[]): Promise<void> {
  const candidates = entries.filter((entry) => posix.basename(entry.path) === '.gitattributes').map((entry) => entry.path);
  const parts = subPath === '' ? [] : subPath.split('/');
  for (let depth = 0; depth < parts.length; depth += 1) candidates.push([...parts.slice(0, depth), '.gitattributes'].join('/'));
  for (const path of candidates) {
    const object = await batch.read(`${sha}:${path}`);
    if (object.kind === 'object' && object.type === 'blob' && LFS_ATTRIBUTE.test(object.content.toString('utf8'))) {
      throw new GitError(GitErrorCode.Lfs, `"${path}" sends files through Git LFS (filter=lfs); Git LFS is not supported`, { path });
    }
  }
}
