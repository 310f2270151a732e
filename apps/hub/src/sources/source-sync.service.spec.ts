import { Logger } from '@nestjs/common';
import { GitError, GitErrorCode, type CommitInfo, type TreeSnapshot } from '@flotilla/git';
import { RevisionEvents, type RevisionFetched } from './revision-events.js';
import type { SourceGit } from './source-git.adapter.js';
import type { SourceEntity } from './source.entity.js';
import type { SourceRepository } from './source.repository.js';
import type { SourceSecrets } from './source-secrets.service.js';
import { SourceSyncService } from './source-sync.service.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

/** A fetch the test releases by hand, to hold a sync in flight. */
interface HeldFetch {
  readonly release: (result: CommitInfo | Error) => void;
}

function harness() {
  const source = { id: 's1', name: 'fleet', url: 'https://example.com/r.git', ref: 'main', path: '', lastFetchedSha: null } as unknown as SourceEntity;
  const held: HeldFetch[] = [];
  const revisions = new Set<string>();
  const calls = { markFetched: [] as string[], markFailed: [] as string[] };
  const repository = {
    findById: async () => ({ ...source }),
    secretsOf: async () => ({ credentials: null, webhookSecret: Buffer.alloc(0) }),
    recordRevision: async (_id: string, commit: CommitInfo) => !revisions.has(commit.sha) && Boolean(revisions.add(commit.sha)),
    markFetched: async (_id: string, sha: string) => {
      calls.markFetched.push(sha);
      source.lastFetchedSha = sha;
    },
    markFailed: async (_id: string, error: string) => void calls.markFailed.push(error),
  } as unknown as SourceRepository;
  const git = {
    limits: { maxFiles: 10, maxFileBytes: 10, maxTotalBytes: 10 },
    mirrorFor: () => ({
      fetch: () =>
        new Promise<CommitInfo>((resolve, reject) =>
          held.push({ release: (result) => (result instanceof Error ? reject(result) : resolve(result)) }),
        ),
      readSnapshot: async (sha: string): Promise<TreeSnapshot> => ({ sha, files: new Map([['a.yaml', Buffer.from('a')]]) }),
    }),
  } as unknown as SourceGit;
  const events = new RevisionEvents();
  const emitted: RevisionFetched[] = [];
  events.subscribe((event) => void emitted.push(event));
  const service = new SourceSyncService(repository, {} as SourceSecrets, git, events);
  const commit = (sha: string): CommitInfo => ({ sha, authorName: 'a', authorEmail: 'a@b', message: 'm', committedAt: new Date() });
  const waitForFetches = async (n: number): Promise<void> => {
    for (let i = 0; i < 100 && held.length < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(n);
  };
  return { service, held, calls, emitted, commit, waitForFetches };
}

describe('SourceSyncService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('records a new revision, marks the source fetched and announces it once', async () => {
    const { service, held, calls, emitted, commit, waitForFetches } = harness();
    const done = service.sync('s1', 'manual');
    await waitForFetches(1);
    held[0]!.release(commit(SHA_A));
    await done;
    expect(calls.markFetched).toEqual([SHA_A]);
    expect(emitted).toEqual([expect.objectContaining({ sourceId: 's1', sha: SHA_A, isNewRevision: true })]);
    expect(emitted[0]!.snapshot.files.size).toBe(1);
    expect(service.isSyncing('s1')).toBe(false);

    const again = service.sync('s1', 'poll');
    await waitForFetches(2);
    held[1]!.release(commit(SHA_A));
    await again;
    expect(emitted).toHaveLength(1); // unchanged: nothing to announce
  });

  it('coalesces triggers that arrive during a sync into exactly one follow-up', async () => {
    const { service, held, commit, waitForFetches } = harness();
    const first = service.sync('s1', 'manual');
    await waitForFetches(1);
    const second = service.sync('s1', 'webhook');
    const third = service.sync('s1', 'webhook');
    expect(third).toBe(second);
    expect(service.isSyncing('s1')).toBe(true);
    held[0]!.release(commit(SHA_A));
    await first;
    await waitForFetches(2); // the follow-up starts after the first one ends, never alongside it
    held[1]!.release(commit(SHA_B));
    await second;
    expect(held).toHaveLength(2);
    expect(service.isSyncing('s1')).toBe(false);
  });

  it('settles only after the running sync and its follow-up, without starting another', async () => {
    const { service, held, commit, waitForFetches } = harness();
    await service.settled('s1'); // nothing running: at once
    void service.sync('s1', 'manual');
    await waitForFetches(1);
    void service.sync('s1', 'webhook');
    let settled = false;
    const settling = service.settled('s1').then(() => (settled = true));
    held[0]!.release(commit(SHA_A));
    await waitForFetches(2);
    expect(settled).toBe(false);
    held[1]!.release(commit(SHA_B));
    await settling;
    expect(held).toHaveLength(2);
  });

  it('records a failed fetch as lastError and touches nothing else', async () => {
    const { service, held, calls, emitted, waitForFetches } = harness();
    const done = service.sync('s1', 'poll');
    await waitForFetches(1);
    held[0]!.release(new GitError(GitErrorCode.FetchTimeout, 'fetching "main" from https://example.com/r.git took longer than 10 ms and was stopped'));
    await done;
    expect(calls.markFailed).toEqual(['fetching "main" from https://example.com/r.git took longer than 10 ms and was stopped']);
    expect(calls.markFetched).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('hides unexpected errors from lastError', async () => {
    const { service, held, calls, waitForFetches } = harness();
    const done = service.sync('s1', 'poll');
    await waitForFetches(1);
    held[0]!.release(new Error('connection string postgres://user:pw@db'));
    await done;
    expect(calls.markFailed).toEqual(['internal error while syncing source "fleet"; see the hub log']);
  });
});
