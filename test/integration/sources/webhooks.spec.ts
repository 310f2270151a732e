import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { ADD_SOURCE, CapturingLogger, eventually, revisionsOf, sourceOf, sql, type SourceView } from './sources-test.support.js';

const PUSH = JSON.stringify({ ref: 'refs/heads/main', after: '0'.repeat(40) });

describe('source webhooks', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let source: SourceView;
  let secret: string;
  const logs = new CapturingLogger();

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${hub.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const hmac = (body: string | Buffer, key = secret): string => createHmac('sha256', key).update(body).digest('hex');
  const state = async () => ({
    revisions: (await revisionsOf(hub, source.id)).map((revision) => revision.sha),
    lastFetchedSha: (await sourceOf(hub, source.id)).lastFetchedSha,
  });
  /** Commits a change and waits until the hub has recorded it as a revision. */
  const expectRevisionAfter = async (send: () => Promise<Response>): Promise<void> => {
    await repo.write('deploy/counter.txt', `${Date.now()}-${Math.random()}\n`);
    const sha = await repo.commit('Change');
    const response = await send();
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'accepted' });
    await eventually(async () => ((await revisionsOf(hub, source.id))[0]?.sha === sha ? true : undefined), 10_000, `revision ${sha}`);
  };

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('deploy/app.yaml', 'app: 1\n');
    await repo.commit('First');
    // No polling: only the webhook can bring a new commit in.
    hub = await startTestHub({ logger: logs, env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const added = await hub.graphql<{ addSource: { webhookSecret: string; source: SourceView } }>(ADD_SOURCE, {
      token: hub.adminToken,
      variables: { input: { name: 'hooked', url: repo.url, path: 'deploy' } },
    });
    expect(added.errors).toBeUndefined();
    ({ source, webhookSecret: secret } = added.data!.addSource);
  });

  afterAll(async () => {
    await hub?.close();
    await repo?.destroy();
  });

  it('fetches at once on a GitHub push signed with X-Hub-Signature-256', async () => {
    await expectRevisionAfter(() => post(source.webhookPath, PUSH, { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(PUSH)}` }));
  });

  it('fetches at once on a Gitea push signed with X-Gitea-Signature', async () => {
    await expectRevisionAfter(() => post(source.webhookPath, PUSH, { 'x-gitea-event': 'push', 'x-gitea-signature': hmac(PUSH) }));
  });

  it('fetches at once on a GitLab push with X-Gitlab-Token', async () => {
    await expectRevisionAfter(() => post(source.webhookPath, PUSH, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret }));
  });

  it('answers a GitHub ping without fetching', async () => {
    const response = await post(source.webhookPath, '{"zen":"hi"}', { 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac('{"zen":"hi"}')}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'pong' });
  });

  it.each([
    ['no signature', {}],
    ['a signature made with another secret', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', 'guess').update(PUSH).digest('hex')}` }],
    ['a signature of another body', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${createHmac('sha256', 'x').update('{}').digest('hex')}` }],
    ['a wrong GitLab token', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'not-the-secret' }],
    ['a malformed Gitea signature', { 'x-gitea-event': 'push', 'x-gitea-signature': 'zz' }],
  ])('refuses %s with 401 and changes nothing', async (_label, headers: Record<string, string>) => {
    await repo.write('deploy/counter.txt', `unsent ${Math.random()}\n`);
    await repo.commit('Not announced');
    const before = await state();
    const linesBefore = logs.lines.length;
    const response = await post(source.webhookPath, PUSH, headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unknown source or invalid signature' });
    // The hub decides before it answers: a refusal is logged and no sync was started.
    const decided = logs.lines.slice(linesBefore);
    expect(decided.some((line) => line.includes(`refused a webhook for source ${source.id}`))).toBe(true);
    expect(decided.some((line) => line.includes('syncing') || line.includes('source "hooked" (webhook)'))).toBe(false);
    expect(await state()).toEqual(before);
  });

  it('answers an unknown or malformed source id like a bad signature', async () => {
    const signed = { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(PUSH)}` };
    expect((await post('/webhooks/sources/00000000-0000-4000-8000-000000000000', PUSH, signed)).status).toBe(401);
    expect((await post('/webhooks/sources/not-a-uuid', PUSH, signed)).status).toBe(401);
  });

  it('refuses a body over 1 MiB with 413, declared or streamed, and changes nothing', async () => {
    const before = await state();
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const declared = await post(source.webhookPath, big, { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(big)}` });
    expect(declared.status).toBe(413);

    // Chunked, without Content-Length: the hub must stop reading once past the limit.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${hub.url}${source.webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 32; i += 1) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(streamed).toBe(413);
    expect(await state()).toEqual(before);
    const table = await sql(hub, `SELECT count(*)::int AS n FROM revisions WHERE source_id = $1`, [source.id]);
    expect(table[0]!.n).toBe(before.revisions.length);
  });

  it('still parses JSON on /graphql (the webhook change left the API alone)', async () => {
    const response = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify({ query: '{ sources { nodes { name } } }' }),
    });
    expect(await response.json()).toEqual({ data: { sources: { nodes: [{ name: 'hooked' }] } } });
    const tooBig = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ version } #${'x'.repeat(1_100_000)}` }),
    });
    expect(tooBig.status).toBe(413);
  });
});
