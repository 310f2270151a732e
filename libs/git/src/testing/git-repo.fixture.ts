import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A throw-away Git repository with a work tree, built with the git CLI, for tests. Not part of the
 * library's barrel: tests import it by path.
 */
export class GitRepoFixture {
  private constructor(readonly dir: string, private readonly home: string) {}

  static async create(branch = 'main'): Promise<GitRepoFixture> {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-repo-'));
    const fixture = new GitRepoFixture(join(root, 'repo'), join(root, 'home'));
    await mkdir(fixture.dir);
    await mkdir(fixture.home);
    await fixture.git('init', '--quiet', '-b', branch);
    return fixture;
  }

  /** The repository as a file:// URL. */
  get url(): string {
    return pathToFileURL(this.dir).href;
  }

  async write(path: string, content: string | Buffer): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true });
    await writeFile(join(this.dir, path), content);
  }

  async symlink(path: string, target: string): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true });
    await symlink(target, join(this.dir, path));
  }

  /** Records a submodule entry (a gitlink) at `path` without cloning anything. */
  async addGitlink(path: string, sha = 'a'.repeat(40)): Promise<void> {
    await this.git('update-index', '--add', '--cacheinfo', `160000,${sha},${path}`);
  }

  async remove(path: string): Promise<void> {
    await this.git('rm', '-r', '--quiet', '--cached', '--', path);
    await rm(join(this.dir, path), { recursive: true, force: true });
  }

  /** Commits everything (or, with `stageAll` false, just the index) and returns the new commit id. */
  async commit(message: string, stageAll = true): Promise<string> {
    if (stageAll) await this.git('add', '--all');
    await this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return (await this.git('rev-parse', 'HEAD')).trim();
  }

  async git(...args: string[]): Promise<string> {
    const { stdout } = await exec('git', args, {
      cwd: this.dir,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        HOME: this.home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Ada Lovelace',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada Lovelace',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
      },
    });
    return stdout;
  }

  async destroy(): Promise<void> {
    await rm(dirname(this.dir), { recursive: true, force: true });
  }
}
