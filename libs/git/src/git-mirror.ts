import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { scrubSecrets, secretsOf, type GitCredentials } from './git-credentials.js';
import { openGitSession, type GitSession } from './git-session.js';
import { GitError, GitErrorCode } from './git.error.js';
import { readTreeSnapshot, type TreeSnapshot } from './read-tree-snapshot.js';
import { GitCommandError, runGit } from './run-git.util.js';
import type { TreeLimits } from './tree-limits.js';
import { validateRefName } from './validate-ref-name.util.js';
import { validateRepositoryUrl, type ValidatedRepositoryUrl } from './validate-repository-url.util.js';

/** One mirror: its directory, the repository it copies, its credentials, and its bounds. */
export interface GitMirrorOptions {
  /** The bare repository; created on the first fetch. */
  readonly directory: string;
  readonly url: string;
  readonly credentials?: GitCredentials;
  readonly allowFileUrls?: boolean;
  readonly allowInsecureHttp?: boolean;
  /** Hard limit for one fetch; the git process group is killed when it passes (default 60 s). */
  readonly fetchTimeoutMs?: number;
  /** The mirror's objects may not grow beyond this; a fetch that would is killed and undone (default 1 GiB). */
  readonly maxRepoBytes?: number;
}

/** A fetched commit and its metadata. */
export interface CommitInfo {
  readonly sha: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly message: string;
  readonly committedAt: Date;
}

/** The ref holding the newest fetched commit, so git never collects its objects. */
const FETCHED_REF = 'refs/flotilla/fetched';
const SIZE_POLL_MS = 50;

/**
 * A bare mirror of one repository in a directory of its own. `fetch(ref)` brings one branch or tag
 * in, bounded in time and size, with credentials that never reach argv, logs or messages; a failed
 * fetch leaves what was fetched before untouched. Reads never check out a work tree.
 */
export class GitMirror {
  private readonly url: ValidatedRepositoryUrl;
  private readonly secrets: string[];

  constructor(private readonly options: GitMirrorOptions) {
    this.url = validateRepositoryUrl(options.url, options);
    this.secrets = secretsOf(options.credentials);
  }

  get directory(): string {
    return this.options.directory;
  }

  /** Fetches `ref` (a branch or tag) and returns the commit it points at. Aborting `signal` kills the fetch. */
  async fetch(ref: string, options: { readonly signal?: AbortSignal } = {}): Promise<CommitInfo> {
    validateRefName(ref);
    const dir = this.options.directory;
    const timeoutMs = this.options.fetchTimeoutMs ?? 60_000;
    const maxBytes = this.options.maxRepoBytes ?? 1024 ** 3;
    const session = await openGitSession({ transport: this.url.transport, allowFileUrls: this.options.allowFileUrls, credentials: this.options.credentials });
    try {
      await this.ensureRepository(session);
      const packDir = join(dir, 'objects', 'pack');
      const packsBefore = new Set(await readdir(packDir).catch(() => [] as string[]));
      const controller = new AbortController();
      let tooLarge = false;
      let measuring = false;
      const watcher = setInterval(() => {
        if (measuring) return; // a slow measurement must not pile up behind itself
        measuring = true;
        void directoryBytes(join(dir, 'objects'))
          .then((bytes) => {
            if (bytes > maxBytes && !tooLarge) {
              tooLarge = true;
              controller.abort();
            }
          })
          .finally(() => (measuring = false));
      }, SIZE_POLL_MS);
      const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
      try {
        await runGit(
          [
            ...session.configArgs,
            '-c', 'fetch.unpackLimit=1', // keep what arrives as a pack, so it can be measured and undone
            '-c', 'gc.auto=0',
            '-c', 'maintenance.auto=false',
            '--git-dir', dir,
            'fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--no-write-commit-graph',
            '--', this.url.url, ref,
          ],
          { cwd: dir, env: session.env, timeoutMs, signal },
        );
      } catch (error) {
        await this.undoFetch(packsBefore);
        throw this.fetchError(error, ref, tooLarge, timeoutMs, maxBytes);
      } finally {
        clearInterval(watcher);
      }
      if ((await directoryBytes(join(dir, 'objects'))) > maxBytes) {
        await this.undoFetch(packsBefore);
        throw this.fetchError(undefined, ref, true, timeoutMs, maxBytes);
      }
      const fetched = (await readFile(join(dir, 'FETCH_HEAD'), 'utf8')).split('\n')[0]?.split('\t')[0] ?? '';
      const commit = await this.git(session, ['rev-parse', '--verify', '--end-of-options', `${fetched}^{commit}`]).catch(() => {
        throw new GitError(GitErrorCode.FetchFailed, `ref "${ref}" of ${this.url.url} does not point at a commit`);
      });
      const sha = commit.trim();
      await this.git(session, ['update-ref', FETCHED_REF, sha]);
      return await this.commitInfo(session, sha);
    } finally {
      await session.dispose();
    }
  }

  /** Reads the files under `subPath` at commit `sha` (which must have been fetched). */
  async readSnapshot(sha: string, subPath: string, limits?: Partial<TreeLimits>, timeoutMs?: number): Promise<TreeSnapshot> {
    const session = await openGitSession({});
    try {
      return await readTreeSnapshot({ gitDir: this.options.directory, env: session.env, sha, subPath, limits, timeoutMs });
    } finally {
      await session.dispose();
    }
  }

  /** Deletes the mirror from disk. */
  async remove(): Promise<void> {
    await rm(this.options.directory, { recursive: true, force: true });
  }

  private async ensureRepository(session: GitSession): Promise<void> {
    const dir = this.options.directory;
    if (await stat(join(dir, 'HEAD')).then(() => true, () => false)) return;
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await runGit([...session.configArgs, 'init', '--quiet', '--bare', '--', dir], { cwd: dirname(dir), env: session.env, timeoutMs: 30_000 });
    // No sample hooks: hooks are off anyway (core.hooksPath), this keeps the mirror plain.
    await rm(join(dir, 'hooks'), { recursive: true, force: true });
  }

  private async commitInfo(session: GitSession, sha: string): Promise<CommitInfo> {
    const out = await this.git(session, ['log', '-1', '--no-show-signature', '--format=%H%x00%an%x00%ae%x00%ct%x00%B', sha, '--']);
    const [full, authorName, authorEmail, committed, ...message] = out.split('\0');
    return {
      sha: full!.trim(),
      authorName: authorName ?? '',
      authorEmail: authorEmail ?? '',
      committedAt: new Date(Number(committed) * 1_000),
      message: message.join('\0').replace(/\n+$/, ''),
    };
  }

  private async git(session: GitSession, args: string[]): Promise<string> {
    const dir = this.options.directory;
    const result = await runGit([...session.configArgs, '--git-dir', dir, ...args], { cwd: dir, env: session.env, timeoutMs: 30_000 });
    return result.stdout.toString('utf8');
  }

  /** Removes packs (complete or partial) a failed or refused fetch left, and its FETCH_HEAD. */
  private async undoFetch(packsBefore: ReadonlySet<string>): Promise<void> {
    const packDir = join(this.options.directory, 'objects', 'pack');
    const now = await readdir(packDir).catch(() => [] as string[]);
    await Promise.all(now.filter((name) => !packsBefore.has(name)).map((name) => rm(join(packDir, name), { force: true })));
    await rm(join(this.options.directory, 'FETCH_HEAD'), { force: true });
  }

  private fetchError(error: unknown, ref: string, tooLarge: boolean, timeoutMs: number, maxBytes: number): GitError {
    const where = `fetching "${ref}" from ${this.url.url}`;
    if (tooLarge) return new GitError(GitErrorCode.RepositoryTooLarge, `${where} was stopped: the mirror would exceed ${maxBytes} bytes (maxRepoBytes)`);
    if (error instanceof GitCommandError && error.killedFor === 'aborted') return new GitError(GitErrorCode.FetchFailed, `${where} was cancelled`);
    if (error instanceof GitCommandError && error.killedFor === 'timeout') {
      return new GitError(GitErrorCode.FetchTimeout, `${where} took longer than ${timeoutMs} ms and was stopped`);
    }
    if (error instanceof GitError) return error;
    const stderr = scrubSecrets(error instanceof GitCommandError ? error.stderr : String(error), this.secrets);
    if (/couldn't find remote ref/i.test(stderr)) return new GitError(GitErrorCode.RefNotFound, `${where} failed: the repository has no branch or tag "${ref}"`);
    const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith('hint:'));
    return new GitError(GitErrorCode.FetchFailed, `${where} failed: ${lines.slice(-3).join(' | ').slice(0, 1_000) || 'git exited without a message'}`);
  }
}

/** Bytes of the files under `dir`, recursively; what the mirror holds on disk. */
async function directoryBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const sizes = await Promise.all(
    entries.filter((entry) => entry.isFile()).map((entry) => stat(join(entry.parentPath, entry.name)).then((s) => s.size, () => 0)),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
