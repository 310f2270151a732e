import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { ADD_SOURCE, sql } from './sources-test.support.js';

// A hub of its own: Nest's logger is process-wide, so a second hub in another file's process
// would take over the logger that file asserts on.
describe('a hub with the default FLOTILLA_GIT_ALLOW_FILE_URLS=false', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.commit('empty');
    hub = await startTestHub({ logLevels: [] });
  });

  afterAll(async () => {
    await hub?.close();
    await repo?.destroy();
  });

  it.each([
    ['a file:// URL', () => repo.url],
    ['a local path', () => repo.dir],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, url) => {
    const answer = await hub.graphql(ADD_SOURCE, { token: hub.adminToken, variables: { input: { name: 'local', url: url() } } });
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'input.url' } });
    expect(answer.errors?.[0]?.message).toContain('FLOTILLA_GIT_ALLOW_FILE_URLS');
    expect((await sql(hub, `SELECT count(*)::int AS n FROM sources`))[0]!.n).toBe(0);
  });
});
