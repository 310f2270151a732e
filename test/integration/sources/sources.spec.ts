import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { ADD_SOURCE, CapturingLogger, revisionsOf, SOURCE_FIELDS, sourceOf, sql, type SourceView } from './sources-test.support.js';

const TOKEN = 'ghp_S3cretT0kenThatMustNeverLeak1234567890';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nU1NIU2VjcmV0TmV2ZXJMZWFrcw==\n-----END OPENSSH PRIVATE KEY-----\n';

describe('sources: add, fetch, revisions, errors', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let viewer: string;
  let firstSha: string;
  const logs = new CapturingLogger();

  const add = (input: Record<string, unknown>, token = hub.adminToken) =>
    hub.graphql<{ addSource: { webhookSecret: string; source: SourceView } }>(ADD_SOURCE, { token, variables: { input } });
  const count = async (table: 'sources' | 'revisions'): Promise<number> => Number((await sql(hub, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n);

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('deploy/web/flotilla.yaml', 'name: web\n');
    await repo.write('deploy/web/deployment.yaml', 'kind: Deployment\n');
    firstSha = await repo.commit('Add web\n\nThe first bundle.');
    hub = await startTestHub({ logger: logs, env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0' } });
    const created = await hub.graphql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "viewer", role: viewer }) { token } }`,
      { token: hub.adminToken },
    );
    viewer = created.data!.createApiToken.token;
  });

  afterAll(async () => {
    await hub?.close();
    await repo?.destroy();
  });

  it('adds a source, fetches it at once, and records the revision', async () => {
    const answer = await add({ name: 'fleet', url: repo.url, ref: 'main', path: './deploy/' });
    expect(answer.errors).toBeUndefined();
    const { source, webhookSecret } = answer.data!.addSource;
    expect(webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(source).toMatchObject({
      name: 'fleet',
      url: repo.url,
      ref: 'main',
      path: 'deploy',
      pollIntervalSeconds: 0,
      credentialsKind: null,
      webhookPath: `/webhooks/sources/${source.id}`,
      lastFetchedSha: firstSha,
      lastError: null,
    });
    const revisions = await revisionsOf(hub, source.id, viewer);
    expect(revisions).toEqual([
      expect.objectContaining({ sha: firstSha, authorName: 'Ada Lovelace', authorEmail: 'ada@example.com', message: 'Add web\n\nThe first bundle.' }),
    ]);
    // The secret is stored encrypted, never in clear.
    const row = (await sql(hub, `SELECT encode(webhook_secret, 'escape') AS sealed FROM sources WHERE id = $1`, [source.id]))[0]!;
    expect(String(row.sealed)).not.toContain(webhookSecret);
  });

  it('lists and reads sources for a viewer, who cannot change them', async () => {
    const list = await hub.graphql<{ sources: { nodes: SourceView[] } }>(`{ sources { nodes { ${SOURCE_FIELDS} } } }`, { token: viewer });
    expect(list.data?.sources.nodes.map((source) => source.name)).toEqual(['fleet']);
    const denied = await add({ name: 'sneaky', url: repo.url }, viewer);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count('sources')).toBe(1);
  });

  it('records a new commit on syncSource, keeps the old revisions, and does not duplicate', async () => {
    const fleet = (await hub.graphql<{ sources: { nodes: SourceView[] } }>(`{ sources { nodes { id } } }`, { token: viewer })).data!.sources.nodes[0]!;
    await repo.write('deploy/web/service.yaml', 'kind: Service\n');
    const second = await repo.commit('Add a service');
    const synced = await hub.graphql<{ syncSource: SourceView }>(`mutation($id: ID!) { syncSource(id: $id) { lastFetchedSha lastError } }`, {
      token: hub.adminToken,
      variables: { id: fleet.id },
    });
    expect(synced.data?.syncSource).toEqual({ lastFetchedSha: second, lastError: null });
    await hub.graphql(`mutation($id: ID!) { syncSource(id: $id) { id } }`, { token: hub.adminToken, variables: { id: fleet.id } });
    expect((await revisionsOf(hub, fleet.id)).map((revision) => revision.sha)).toEqual([second, firstSha]);
  });

  it.each([
    ['ext::sh -c touch% /tmp/flotilla-pwned', 'remote-helper syntax "ext::"'],
    ['ext::sh', 'remote-helper syntax "ext::"'],
    ['-upload-pack=touch /tmp/flotilla-pwned', 'starts with "-"'],
    ['--upload-pack=touch', 'starts with "-"'],
    ['ssh://-oProxyCommand=touch/x', 'starting with "-"'],
    ['http://example.com/repo.git', 'http://'],
    ['git://example.com/repo.git', 'unsupported scheme'],
    ['https://user:pw@example.com/repo.git', 'password'],
  ])('refuses the hostile URL %j with BAD_USER_INPUT and stores nothing', async (url, problem) => {
    const [sources, audit] = [await count('sources'), Number((await sql(hub, `SELECT count(*)::int AS n FROM audit_log`))[0]!.n)];
    const answer = await add({ name: 'hostile', url });
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'input.url' } });
    expect(answer.errors?.[0]?.message).toContain(problem);
    expect(await count('sources')).toBe(sources);
    // The refusal itself is audited.
    expect(Number((await sql(hub, `SELECT count(*)::int AS n FROM audit_log`))[0]!.n)).toBe(audit + 1);
  });

  it.each([
    [{ name: 'Bad_Name', url: 'https://example.com/r.git' }, 'input.name'],
    [{ name: 'x', url: 'https://example.com/r.git', ref: 'main..dev' }, 'input.ref'],
    [{ name: 'x', url: 'https://example.com/r.git', ref: '--orphan' }, 'input.ref'],
    [{ name: 'x', url: 'https://example.com/r.git', path: '../etc' }, 'input.path'],
    [{ name: 'x', url: 'https://example.com/r.git', path: '/etc' }, 'input.path'],
    [{ name: 'x', url: 'https://example.com/r.git', pollIntervalSeconds: 3 }, 'input.pollIntervalSeconds'],
    [{ name: 'x', url: 'https://example.com/r.git', credentials: { sshPrivateKey: SSH_KEY, sshKnownHosts: 'h k' } }, 'input.credentials'],
    [{ name: 'x', url: 'git@example.com:r.git', credentials: { httpsToken: TOKEN } }, 'input.credentials'],
    [{ name: 'x', url: 'https://example.com/r.git', credentials: {} }, 'input.credentials'],
  ])('refuses %j naming %s', async (input, argument) => {
    const before = await count('sources');
    const answer = await add(input);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: expect.stringContaining(argument) });
    expect(await count('sources')).toBe(before);
  });

  it('refuses a second source with the same name as CONFLICT', async () => {
    const answer = await add({ name: 'fleet', url: repo.url });
    expect(answer.errors?.[0]).toMatchObject({ message: 'a source named "fleet" already exists', extensions: { code: 'CONFLICT' } });
  });

  it('never shows credentials: not in answers, the database in clear, the audit log or the logs', async () => {
    const added = await add({ name: 'private', url: repo.url, ref: 'main', path: 'deploy', credentials: { httpsToken: TOKEN, httpsUsername: 'bot' } });
    expect(added.errors).toBeUndefined();
    const id = added.data!.addSource.source.id;
    expect(added.data!.addSource.source.credentialsKind).toBe('httpsToken');
    const updated = await hub.graphql(`mutation($input: UpdateSourceInput!) { updateSource(input: $input) { ${SOURCE_FIELDS} } }`, {
      token: hub.adminToken,
      variables: { input: { id, credentials: { sshPrivateKey: SSH_KEY, sshKnownHosts: 'example.com ssh-ed25519 AAAA' } } },
    });
    expect(updated.errors).toBeUndefined();
    const failed = await add({ name: 'bad-creds', url: 'git@example.com:r.git', credentials: { httpsToken: TOKEN } });
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const everything = JSON.stringify([
      added,
      updated,
      failed,
      await hub.graphql(`{ sources { nodes { ${SOURCE_FIELDS} } } }`, { token: hub.adminToken }),
      await sql(hub, `SELECT row_to_json(s)::text FROM sources s`),
      // bytea shows as hex in JSON; the escape form shows any plaintext as it is.
      await sql(hub, `SELECT encode(credentials, 'escape') AS c, encode(webhook_secret, 'escape') AS w FROM sources`),
      await sql(hub, `SELECT row_to_json(a)::text FROM audit_log a`),
      logs.lines,
    ]);
    expect(logs.lines.some((line) => line.includes('source "private" added') && line.includes('https-token credentials'))).toBe(true);
    for (const secret of [TOKEN, 'U1NIU2VjcmV0TmV2ZXJMZWFrcw']) expect(everything).not.toContain(secret);
    const audit = await sql(hub, `SELECT arguments FROM audit_log WHERE action IN ('addSource', 'updateSource') AND arguments::text LIKE '%credentials%'`);
    expect(audit.length).toBeGreaterThanOrEqual(3);
    for (const row of audit) expect((row.arguments as { input: { credentials: unknown } }).input.credentials).toBe('[REDACTED]');
    await hub.graphql(`mutation($id: ID!) { deleteSource(id: $id) { id } }`, { token: hub.adminToken, variables: { id } });
  });

  describe('content the hub refuses', () => {
    let id: string;
    let goodSha: string;

    beforeAll(async () => {
      goodSha = (await repo.git('rev-parse', 'HEAD')).trim();
      id = (await hub.graphql<{ sources: { nodes: SourceView[] } }>(`{ sources { nodes { id name } } }`, { token: viewer })).data!.sources.nodes.find((s) => s.name === 'fleet')!.id;
    });

    afterEach(async () => {
      // Back to a good state for the next case.
      await repo.git('reset', '--quiet', '--hard', goodSha);
      await repo.git('clean', '-fdq');
    });

    const syncAndExpectError = async (message: string): Promise<void> => {
      const before = await revisionsOf(hub, id);
      const answer = await hub.graphql<{ syncSource: SourceView }>(`mutation($id: ID!) { syncSource(id: $id) { lastFetchedSha lastError } }`, {
        token: hub.adminToken,
        variables: { id },
      });
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.syncSource.lastError).toContain(message);
      expect(answer.data!.syncSource.lastFetchedSha).toBe(goodSha);
      expect(await revisionsOf(hub, id)).toEqual(before);
      expect((await sourceOf(hub, id)).lastError).toContain(message);
    };

    it('a submodule', async () => {
      await repo.git('update-index', '--add', '--cacheinfo', `160000,${'b'.repeat(40)},deploy/vendor`);
      await repo.commit('Add a submodule', false);
      await syncAndExpectError('"deploy/vendor" is a Git submodule; submodules are not supported');
    });

    it('Git LFS', async () => {
      await repo.write('.gitattributes', '*.tgz filter=lfs diff=lfs merge=lfs -text\n');
      await repo.commit('Track archives with LFS');
      await syncAndExpectError('Git LFS is not supported');
    });

    it('a symlink leaving the repository', async () => {
      await repo.symlink('deploy/web/secrets.yaml', '/etc/passwd');
      await repo.commit('Link out');
      await syncAndExpectError('symlink "deploy/web/secrets.yaml" points outside the repository');
    });

    it('a missing branch, then recovers when the ref is fixed', async () => {
      const moved = await hub.graphql<{ updateSource: SourceView }>(`mutation($input: UpdateSourceInput!) { updateSource(input: $input) { ref lastError } }`, {
        token: hub.adminToken,
        variables: { input: { id, ref: 'does-not-exist' } },
      });
      expect(moved.data!.updateSource).toEqual({ ref: 'does-not-exist', lastError: expect.stringContaining('no branch or tag "does-not-exist"') });
      const back = await hub.graphql<{ updateSource: SourceView }>(`mutation($input: UpdateSourceInput!) { updateSource(input: $input) { ref lastError lastFetchedSha } }`, {
        token: hub.adminToken,
        variables: { input: { id, ref: 'main' } },
      });
      expect(back.data!.updateSource).toEqual({ ref: 'main', lastError: null, lastFetchedSha: goodSha });
    });
  });

  it('deletes a source with its revisions and its mirror', async () => {
    const added = await add({ name: 'short-lived', url: repo.url });
    const id = added.data!.addSource.source.id;
    expect(await revisionsOf(hub, id)).toHaveLength(1);
    expect((await stat(join(hub.dataDir, 'git', `${id}.git`, 'HEAD'))).isFile()).toBe(true);
    const deleted = await hub.graphql(`mutation($id: ID!) { deleteSource(id: $id) { name } }`, { token: hub.adminToken, variables: { id } });
    expect(deleted.data).toEqual({ deleteSource: { name: 'short-lived' } });
    expect((await sql(hub, `SELECT count(*)::int AS n FROM revisions WHERE source_id = $1`, [id]))[0]!.n).toBe(0);
    const missing = await hub.graphql(`query($id: ID!) { source(id: $id) { id } }`, { token: hub.adminToken, variables: { id } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await expect(stat(join(hub.dataDir, 'git', `${id}.git`))).rejects.toThrow(/ENOENT/);
  });
});
