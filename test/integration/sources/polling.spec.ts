import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';
import { ADD_SOURCE, eventually, revisionsOf, type SourceView } from './sources-test.support.js';

describe('source polling', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('app.yaml', 'v: 1\n');
    await repo.commit('First');
    // A one-second hub default makes the poller tick every second.
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '1' } });
  });

  afterAll(async () => {
    await hub?.close();
    await repo?.destroy();
  });

  it('brings a new commit in without a webhook or a mutation, and leaves a source with polling off alone', async () => {
    const add = async (name: string, pollIntervalSeconds?: number): Promise<SourceView> => {
      const answer = await hub.graphql<{ addSource: { source: SourceView } }>(ADD_SOURCE, {
        token: hub.adminToken,
        variables: { input: { name, url: repo.url, pollIntervalSeconds } },
      });
      expect(answer.errors).toBeUndefined();
      return answer.data!.addSource.source;
    };
    const polled = await add('polled');
    const manual = await add('manual', 0);
    expect(polled.pollIntervalSeconds).toBe(1);
    await repo.write('app.yaml', 'v: 2\n');
    const second = await repo.commit('Second');
    await eventually(async () => ((await revisionsOf(hub, polled.id))[0]?.sha === second ? true : undefined), 15_000, 'the poll');
    expect((await revisionsOf(hub, manual.id)).map((revision) => revision.sha)).not.toContain(second);
  });
});
