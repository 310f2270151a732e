import type { BatchObject, CatFileBatch } from './cat-file-batch.js';
import { GitError, GitErrorCode } from './git.error.js';
import { GitCommandError, runGit } from './run-git.util.js';
import { MODE_SUBMODULE, MODE_SYMLINK, parseLsTree, type TreeEntry } from './tree-entry.util.js';
import type { TreeLimits } from './tree-limits.js';

/** A file of the snapshot: a blob found by path, or the blob a symlink leads to (content already read). */
export interface ResolvedFile {
  readonly path: string;
  readonly oid: string;
  readonly size: number;
  readonly content?: Buffer;
}

export interface ResolveContext {
  readonly sha: string;
  readonly gitDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly batch: CatFileBatch;
  readonly limits: TreeLimits;
  readonly timeoutMs: number;
}

/** Directory symlinks inside directory symlinks deeper than this are refused (and loops end here). */
const MAX_LINK_DEPTH = 8;

/**
 * Turns ls-tree entries into files: submodules refused; symlinks followed by git itself
 * (`cat-file --follow-symlinks` on `<commit>:<path>`), which reports links leaving the tree; a link
 * to a directory inside the repository contributes that directory's files under the link's path.
 */
export async function resolveTreeEntries(entries: readonly TreeEntry[], context: ResolveContext, depth = 0): Promise<ResolvedFile[]> {
  const files: ResolvedFile[] = [];
  for (const entry of entries) {
    if (entry.mode === MODE_SUBMODULE || entry.type === 'commit') {
      throw new GitError(GitErrorCode.Submodule, `"${entry.path}" is a Git submodule; submodules are not supported`, { path: entry.path });
    }
    if (entry.type !== 'blob') {
      throw new GitError(GitErrorCode.ReadFailed, `"${entry.path}" has the unsupported type ${entry.type}`, { path: entry.path });
    }
    if (entry.mode !== MODE_SYMLINK) {
      files.push({ path: entry.path, oid: entry.oid, size: entry.size ?? 0 });
      continue;
    }
    const target = await context.batch.read(`${context.sha}:${entry.path}`);
    if ((target.kind === 'object' || target.kind === 'too-large') && target.type === 'tree') {
      if (depth >= MAX_LINK_DEPTH) {
        throw new GitError(GitErrorCode.UnsupportedSymlink, `symlink "${entry.path}" nests directory links more than ${MAX_LINK_DEPTH} deep (a loop?)`, {
          path: entry.path,
        });
      }
      const inner = await listTreeObject(target.oid, entry.path, context);
      files.push(...(await resolveTreeEntries(inner, context, depth + 1)));
    } else {
      files.push(linkedBlob(target, entry, context.limits));
    }
    if (files.length > context.limits.maxFiles) {
      throw new GitError(GitErrorCode.LimitExceeded, `"${entry.path}" brings the files over ${context.limits.maxFiles} (maxFiles)`, {
        path: entry.path,
        limit: 'maxFiles',
      });
    }
  }
  return files;
}

/** The entries of a tree object, with paths under `prefix`. */
async function listTreeObject(treeOid: string, prefix: string, context: ResolveContext): Promise<TreeEntry[]> {
  try {
    const result = await runGit(['--git-dir', context.gitDir, 'ls-tree', '-r', '-z', '-l', treeOid], {
      cwd: context.gitDir,
      env: context.env,
      timeoutMs: context.timeoutMs,
      maxStdoutBytes: (context.limits.maxFiles + 1) * 4_096,
    });
    return parseLsTree(result.stdout).map((entry) => ({ ...entry, path: `${prefix}/${entry.path}` }));
  } catch (error) {
    if (error instanceof GitCommandError && error.killedFor === 'output') {
      throw new GitError(GitErrorCode.LimitExceeded, `symlink "${prefix}" leads to more than ${context.limits.maxFiles} files (maxFiles)`, {
        path: prefix,
        limit: 'maxFiles',
      });
    }
    throw error;
  }
}

function linkedBlob(target: BatchObject, entry: TreeEntry, limits: TreeLimits): ResolvedFile {
  switch (target.kind) {
    case 'object':
      if (target.type !== 'blob') {
        throw new GitError(GitErrorCode.UnsupportedSymlink, `symlink "${entry.path}" points at a ${target.type}`, { path: entry.path });
      }
      return { path: entry.path, oid: target.oid, size: target.size, content: target.content };
    case 'too-large':
      throw new GitError(
        GitErrorCode.LimitExceeded,
        `"${entry.path}" (through its symlink) is ${target.size} bytes, over the limit of ${limits.maxFileBytes} (maxFileBytes)`,
        { path: entry.path, limit: 'maxFileBytes' },
      );
    case 'symlink':
      throw new GitError(GitErrorCode.SymlinkEscape, `symlink "${entry.path}" points outside the repository ("${target.target}")`, { path: entry.path });
    case 'dangling':
    case 'notdir':
    case 'missing':
      throw new GitError(GitErrorCode.UnsupportedSymlink, `symlink "${entry.path}" points at a path that does not exist`, { path: entry.path });
    case 'loop':
      throw new GitError(GitErrorCode.UnsupportedSymlink, `symlink "${entry.path}" is part of a symlink loop`, { path: entry.path });
  }
}
