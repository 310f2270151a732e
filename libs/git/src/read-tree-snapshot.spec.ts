import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitMirror } from './git-mirror.js';
import { GitErrorCode } from './git.error.js';
import { GitRepoFixture } from './testing/git-repo.fixture.js';

describe('GitMirror.readSnapshot', () => {
  let repo: GitRepoFixture;
  let work: string;
  let mirror: GitMirror;
  let counter = 0;

  /** Commits the repository's current state and fetches it; returns the commit id. */
  const publish = async (message: string, stageAll = true): Promise<string> => {
    await repo.commit(message, stageAll);
    return (await mirror.fetch('main')).sha;
  };
  const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    work = await mkdtemp(join(tmpdir(), 'flotilla-tree-test-'));
    mirror = new GitMirror({ directory: join(work, 'mirror'), url: repo.url, allowFileUrls: true });
  });

  beforeEach(async () => {
    // Each case starts from a clean tree of its own.
    counter += 1;
    await repo.git('rm', '-r', '--quiet', '--ignore-unmatch', '--', '.');
    await rm(join(repo.dir, 'deploy'), { recursive: true, force: true });
    await rm(join(repo.dir, 'other'), { recursive: true, force: true });
    await repo.write('README.md', `case ${counter}\n`);
  });

  afterAll(async () => {
    await repo?.destroy();
    await rm(work, { recursive: true, force: true });
  });

  it('reads the files of the sub-path, relative to it, without a work tree', async () => {
    await repo.write('deploy/web/flotilla.yaml', 'name: web\n');
    await repo.write('deploy/web/manifests/deploy.yaml', 'kind: Deployment\n');
    await repo.write('deploy/weird name ü.yaml', 'a: 1\n');
    await repo.write('other/x.yaml', 'no\n');
    const sha = await publish('tree');
    const snapshot = await mirror.readSnapshot(sha, 'deploy');
    expect(snapshot.sha).toBe(sha);
    expect([...snapshot.files.keys()].sort()).toEqual(['web/flotilla.yaml', 'web/manifests/deploy.yaml', 'weird name ü.yaml']);
    expect(snapshot.files.get('web/flotilla.yaml')?.toString()).toBe('name: web\n');
    const root = await mirror.readSnapshot(sha, '');
    expect(root.files.get('deploy/web/flotilla.yaml')?.toString()).toBe('name: web\n');
    expect(root.files.has('README.md')).toBe(true);
  });

  it('resolves a symlink that stays inside the repository, even outside the sub-path', async () => {
    await repo.write('other/shared.yaml', 'shared: true\n');
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.symlink('deploy/shared.yaml', '../other/shared.yaml');
    await repo.symlink('deploy/alias.yaml', 'app.yaml');
    const sha = await publish('links inside');
    const snapshot = await mirror.readSnapshot(sha, 'deploy');
    expect(snapshot.files.get('shared.yaml')?.toString()).toBe('shared: true\n');
    expect(snapshot.files.get('alias.yaml')?.toString()).toBe('app: 1\n');
  });

  it.each([
    ['a relative link above the root', '../../../etc/passwd'],
    ['an absolute link', '/etc/passwd'],
  ])('refuses %s', async (_label, target) => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.symlink('deploy/escape.yaml', target);
    const sha = await publish('link out');
    expect(await failureOf(mirror.readSnapshot(sha, 'deploy'))).toMatchObject({
      code: GitErrorCode.SymlinkEscape,
      path: 'deploy/escape.yaml',
      message: expect.stringContaining('symlink "deploy/escape.yaml" points outside the repository'),
    });
  });

  it('refuses a dangling symlink', async () => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.symlink('deploy/dangling.yaml', 'nothing-here.yaml');
    const dangling = await publish('dangling');
    expect(await failureOf(mirror.readSnapshot(dangling, 'deploy'))).toMatchObject({ code: GitErrorCode.UnsupportedSymlink, path: 'deploy/dangling.yaml' });
  });

  it('expands a symlink to a directory inside the repository, links within it included', async () => {
    await repo.write('other/base/a.yaml', 'a\n');
    await repo.write('other/base/nested/b.yaml', 'b\n');
    await repo.write('other/shared.yaml', 'shared\n');
    await repo.symlink('other/base/link.yaml', '../shared.yaml');
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.symlink('deploy/base', '../other/base');
    const sha = await publish('dir link');
    const snapshot = await mirror.readSnapshot(sha, 'deploy');
    expect(Object.fromEntries([...snapshot.files].map(([path, content]) => [path, content.toString()]))).toEqual({
      'app.yaml': 'app: 1\n',
      'base/a.yaml': 'a\n',
      'base/nested/b.yaml': 'b\n',
      'base/link.yaml': 'shared\n',
    });
  });

  it('refuses a directory symlink loop and a directory link leaving the repository', async () => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.symlink('deploy/again', '../deploy');
    const loop = await publish('loop');
    expect(await failureOf(mirror.readSnapshot(loop, 'deploy'))).toMatchObject({
      code: GitErrorCode.UnsupportedSymlink,
      message: expect.stringContaining('nests directory links more than 8 deep (a loop?)'),
    });
    await rm(join(repo.dir, 'deploy/again'));
    await repo.symlink('deploy/etc', '/etc');
    const out = await publish('dir out');
    expect(await failureOf(mirror.readSnapshot(out, 'deploy'))).toMatchObject({ code: GitErrorCode.SymlinkEscape, path: 'deploy/etc' });
  });

  it('refuses a submodule, naming it', async () => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.git('add', '--all');
    await repo.addGitlink('deploy/vendor');
    const sha = await publish('submodule', false);
    expect(await failureOf(mirror.readSnapshot(sha, 'deploy'))).toMatchObject({
      code: GitErrorCode.Submodule,
      path: 'deploy/vendor',
      message: '"deploy/vendor" is a Git submodule; submodules are not supported',
    });
    // Outside the sub-path it does not matter.
    await repo.write('other/a.yaml', 'a\n');
    expect((await mirror.readSnapshot(await publish('unrelated'), 'other')).files.size).toBe(1);
  });

  it('refuses Git LFS: a pointer file, and filter=lfs in .gitattributes at or above the sub-path', async () => {
    await repo.write('deploy/big.bin', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n');
    const pointer = await publish('pointer');
    expect(await failureOf(mirror.readSnapshot(pointer, 'deploy'))).toMatchObject({ code: GitErrorCode.Lfs, path: 'deploy/big.bin' });

    await rm(join(repo.dir, 'deploy/big.bin'));
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.write('.gitattributes', '*.bin filter=lfs diff=lfs merge=lfs -text\n');
    const attributes = await publish('attributes');
    expect(await failureOf(mirror.readSnapshot(attributes, 'deploy'))).toMatchObject({
      code: GitErrorCode.Lfs,
      path: '.gitattributes',
      message: expect.stringContaining('Git LFS is not supported'),
    });
  });

  it('refuses a path that does not exist, is a file, or escapes', async () => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    const sha = await publish('paths');
    expect(await failureOf(mirror.readSnapshot(sha, 'nope'))).toMatchObject({ code: GitErrorCode.PathNotFound, path: 'nope' });
    expect(await failureOf(mirror.readSnapshot(sha, 'deploy/app.yaml'))).toMatchObject({ code: GitErrorCode.InvalidPath });
    expect(await failureOf(mirror.readSnapshot(sha, '../x'))).toMatchObject({ code: GitErrorCode.InvalidPath });
    expect(await failureOf(mirror.readSnapshot(sha, '/etc'))).toMatchObject({ code: GitErrorCode.InvalidPath });
  });

  it.each([
    ['maxFiles', { maxFiles: 3 }, 'holds more than 3 files (maxFiles)'],
    ['maxFileBytes', { maxFileBytes: 1_000 }, '"deploy/b.yaml" is 2000 bytes, over the limit of 1000 (maxFileBytes)'],
    ['maxTotalBytes', { maxTotalBytes: 2_500 }, 'more than 2500 bytes (maxTotalBytes)'],
  ] as const)('names the limit %s and the path when it is exceeded', async (limit, limits, message) => {
    await repo.write('deploy/a.yaml', 'a'.repeat(100));
    await repo.write('deploy/b.yaml', 'b'.repeat(2_000));
    await repo.write('deploy/c.yaml', 'c'.repeat(900));
    await repo.write('deploy/d.yaml', 'd'.repeat(10));
    const sha = await publish(`limit ${limit}`);
    const error = await failureOf(mirror.readSnapshot(sha, 'deploy', limits));
    expect(error).toMatchObject({ code: GitErrorCode.LimitExceeded, limit, message: expect.stringContaining(message) });
    expect((error as { path: string }).path).toMatch(/^deploy/);
    expect((await mirror.readSnapshot(sha, 'deploy')).files.size).toBe(4);
  });

  it('applies maxFileBytes to the target of a symlink', async () => {
    await repo.write('other/big.yaml', 'x'.repeat(5_000));
    await repo.symlink('deploy/big.yaml', '../other/big.yaml');
    const sha = await publish('link to big');
    expect(await failureOf(mirror.readSnapshot(sha, 'deploy', { maxFileBytes: 1_000 }))).toMatchObject({
      code: GitErrorCode.LimitExceeded,
      limit: 'maxFileBytes',
      path: 'deploy/big.yaml',
    });
  });

  it('refuses a 50 MB file quickly, from its size alone', async () => {
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.write('deploy/huge.bin', Buffer.alloc(50 * 1024 * 1024, 7));
    const sha = await publish('huge');
    const started = performance.now();
    const error = await failureOf(mirror.readSnapshot(sha, 'deploy'));
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: GitErrorCode.LimitExceeded, limit: 'maxFileBytes', path: 'deploy/huge.bin' });
    // Reading 50 MB through cat-file would take far longer than listing the tree.
    expect(elapsed).toBeLessThan(1_000);
    process.stdout.write(`[tree] 50 MB file refused in ${Math.round(elapsed)} ms\n`);
  });

  it('reads 1,000 files through one cat-file process', async () => {
    for (let i = 0; i < 1_000; i += 1) await repo.write(`deploy/f${String(i).padStart(4, '0')}.yaml`, `index: ${i}\n${'x'.repeat(500)}\n`);
    const sha = await publish('many');
    const started = performance.now();
    const snapshot = await mirror.readSnapshot(sha, 'deploy');
    const elapsed = performance.now() - started;
    expect(snapshot.files.size).toBe(1_000);
    expect(snapshot.files.get('f0999.yaml')?.toString()).toMatch(/^index: 999\n/);
    process.stdout.write(`[tree] 1000 blobs read in ${Math.round(elapsed)} ms (${Math.round(1_000 / (elapsed / 1_000))} blobs/s, ls-tree included)\n`);
  });
});
