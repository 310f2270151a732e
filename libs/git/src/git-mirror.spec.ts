import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { GitMirror } from './git-mirror.js';
import { GitError, GitErrorCode } from './git.error.js';
import { GitRepoFixture } from './testing/git-repo.fixture.js';

/** Command lines of live processes containing `text` (the killed fetch must leave none). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(cmdline.replaceAll('\0', ' '));
  }
  return found;
}

describe('GitMirror.fetch', () => {
  let repo: GitRepoFixture;
  let work: string;
  let first: string;

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('deploy/web/flotilla.yaml', 'name: web\n');
    first = await repo.commit('First commit\n\nWith a body.');
    await repo.git('tag', '-a', 'v1', '-m', 'version 1');
    work = await mkdtemp(join(tmpdir(), 'flotilla-mirror-test-'));
  });

  afterAll(async () => {
    await repo?.destroy();
    await rm(work, { recursive: true, force: true });
  });

  const mirror = (name: string, extra: Partial<ConstructorParameters<typeof GitMirror>[0]> = {}): GitMirror =>
    new GitMirror({ directory: join(work, name), url: repo.url, allowFileUrls: true, ...extra });

  it('fetches a branch into a bare mirror and reads the commit', async () => {
    const commit = await mirror('branch').fetch('main');
    expect(commit).toEqual({
      sha: first,
      authorName: 'Ada Lovelace',
      authorEmail: 'ada@example.com',
      message: 'First commit\n\nWith a body.',
      committedAt: expect.any(Date),
    });
    expect(Math.abs(commit.committedAt.getTime() - Date.now())).toBeLessThan(120_000);
    expect(await readdir(join(work, 'branch'))).not.toContain('index'); // bare: no work tree
  });

  it('peels an annotated tag to its commit', async () => {
    expect((await mirror('tag').fetch('v1')).sha).toBe(first);
  });

  it('fetches new commits on the next fetch, and re-fetching the same is cheap', async () => {
    const m = mirror('incremental');
    await m.fetch('main');
    await repo.write('deploy/web/extra.yaml', 'x: 1\n');
    const second = await repo.commit('Second');
    const started = performance.now();
    expect((await m.fetch('main')).sha).toBe(second);
    expect((await m.fetch('main')).sha).toBe(second);
    // Figure for the report; not a timing assertion.
    process.stdout.write(`[git-mirror] two incremental fetches: ${Math.round(performance.now() - started)} ms\n`);
  });

  it('names a missing ref', async () => {
    await expect(mirror('missing').fetch('nope')).rejects.toMatchObject({ code: GitErrorCode.RefNotFound, message: expect.stringContaining('no branch or tag "nope"') });
  });

  it('refuses file URLs unless allowed, before running git', () => {
    expect(() => new GitMirror({ directory: join(work, 'x'), url: repo.url })).toThrow(/file:\/\/ URL/);
  });

  it('refuses an unsafe ref before running git', async () => {
    await expect(mirror('badref').fetch('--upload-pack=touch /tmp/x')).rejects.toMatchObject({ code: GitErrorCode.InvalidRef });
  });

  it('stops a fetch that would grow the mirror over maxRepoBytes and keeps what it had', async () => {
    const big = await GitRepoFixture.create();
    try {
      await big.write('small.txt', 'small\n');
      const small = await big.commit('small');
      const m = new GitMirror({ directory: join(work, 'capped'), url: big.url, allowFileUrls: true, maxRepoBytes: 200_000 });
      expect((await m.fetch('main')).sha).toBe(small);
      const packsBefore = (await readdir(join(work, 'capped', 'objects', 'pack'))).sort();
      await big.write('blob.bin', randomBytes(400_000)); // incompressible
      await big.commit('big');
      const error = await m.fetch('main').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GitError);
      expect(error).toMatchObject({ code: GitErrorCode.RepositoryTooLarge, message: expect.stringContaining('200000 bytes (maxRepoBytes)') });
      expect((await readdir(join(work, 'capped', 'objects', 'pack'))).sort()).toEqual(packsBefore);
      // The earlier commit is still readable.
      expect((await m.readSnapshot(small, '')).files.get('small.txt')?.toString()).toBe('small\n');
    } finally {
      await big.destroy();
    }
  });

  describe('against git http-backend that requires a token', () => {
    let server: Server;
    let url: string;
    const token = `glpat-${randomBytes(10).toString('hex')}`;

    beforeAll(async () => {
      // A minimal CGI host for git-http-backend behind HTTP basic auth (user "bot", password = token).
      server = createServer((request, response) => {
        const expected = `Basic ${Buffer.from(`bot:${token}`).toString('base64')}`;
        if (request.headers.authorization !== expected) {
          response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
          return;
        }
        const [pathInfo, query = ''] = (request.url ?? '').split('?');
        const cgi = spawn('git', ['http-backend'], {
          env: {
            PATH: process.env.PATH,
            GIT_PROJECT_ROOT: dirname(repo.dir),
            GIT_HTTP_EXPORT_ALL: '1',
            GIT_CONFIG_NOSYSTEM: '1',
            HOME: work,
            REQUEST_METHOD: request.method,
            PATH_INFO: pathInfo,
            QUERY_STRING: query,
            CONTENT_TYPE: request.headers['content-type'] ?? '',
            REMOTE_USER: 'bot',
            REMOTE_ADDR: '127.0.0.1',
          },
        });
        request.pipe(cgi.stdin);
        const chunks: Buffer[] = [];
        cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
        cgi.on('close', () => {
          const output = Buffer.concat(chunks);
          const split = output.indexOf('\r\n\r\n');
          const headers: Record<string, string> = {};
          let status = 200;
          for (const line of output.subarray(0, split).toString().split('\r\n')) {
            const [name, ...value] = line.split(': ');
            if (name!.toLowerCase() === 'status') status = Number(value.join(': ').split(' ')[0]);
            else headers[name!] = value.join(': ');
          }
          response.writeHead(status, headers).end(output.subarray(split + 4));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/${basename(repo.dir)}`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches with the token, and fails clearly (without it) when the token is wrong', async () => {
      const good = new GitMirror({ directory: join(work, 'authed'), url, allowInsecureHttp: true, credentials: { kind: 'https-token', username: 'bot', token } });
      expect((await good.fetch('main')).authorName).toBe('Ada Lovelace');
      const wrong = `${token}x`;
      const bad = new GitMirror({ directory: join(work, 'unauthed'), url, allowInsecureHttp: true, credentials: { kind: 'https-token', username: 'bot', token: wrong } });
      const error = await bad.fetch('main').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: GitErrorCode.FetchFailed, message: expect.stringMatching(/Authentication failed/) });
      expect((error as Error).message).not.toContain(token);
      const none = new GitMirror({ directory: join(work, 'anonymous'), url, allowInsecureHttp: true });
      expect(await none.fetch('main').catch((caught: unknown) => caught)).toMatchObject({ code: GitErrorCode.FetchFailed });
    });
  });

  describe('against an HTTP server', () => {
    let server: Server;
    let url: string;
    let seen: { url?: string; authorization?: string }[];

    beforeAll(async () => {
      seen = [];
      // Answers the first request with 401 (asking for credentials), then never answers: a hung remote.
      server = createServer((request, response) => {
        seen.push({ url: request.url, authorization: request.headers.authorization });
        if (!request.headers.authorization) {
          response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/fleet.git`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('kills a fetch at its timeout, sends the token only as basic auth, and never shows it', async () => {
      const token = `tok_${randomBytes(12).toString('hex')}`;
      const m = new GitMirror({
        directory: join(work, 'hung'),
        url,
        allowInsecureHttp: true,
        fetchTimeoutMs: 1_500,
        credentials: { kind: 'https-token', username: 'bot', token },
      });
      const started = performance.now();
      const error = await m.fetch('main').catch((caught: unknown) => caught);
      const elapsed = performance.now() - started;
      expect(error).toMatchObject({ code: GitErrorCode.FetchTimeout, message: expect.stringContaining('took longer than 1500 ms') });
      expect(elapsed).toBeLessThan(10_000);
      expect(String((error as Error).message)).not.toContain(token);
      const withAuth = seen.find((request) => request.authorization);
      expect(withAuth?.authorization).toBe(`Basic ${Buffer.from(`bot:${token}`).toString('base64')}`);
      expect(withAuth?.url).not.toContain(token);
      expect(await processesMentioning('127.0.0.1:' + new URL(url).port)).toEqual([]);
    });

    it('kills a fetch when its signal aborts (hub shutdown)', async () => {
      const m = new GitMirror({ directory: join(work, 'aborted'), url, allowInsecureHttp: true, fetchTimeoutMs: 30_000, credentials: { kind: 'https-token', token: 'x-token' } });
      const controller = new AbortController();
      const fetching = m.fetch('main', { signal: controller.signal }).catch((caught: unknown) => caught);
      await new Promise((resolve) => setImmediate(resolve));
      const started = performance.now();
      controller.abort();
      expect(await fetching).toMatchObject({ code: GitErrorCode.FetchFailed, message: expect.stringContaining('was cancelled') });
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it('refuses http:// unless allowed', () => {
      expect(() => new GitMirror({ directory: join(work, 'h'), url })).toThrow(/uses http:\/\//);
    });
  });
});
