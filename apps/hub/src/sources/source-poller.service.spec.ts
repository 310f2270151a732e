import type { HubConfig } from '../config/hub-config.js';
import type { SourceEntity } from './source.entity.js';
import { SourcePoller } from './source-poller.service.js';
import type { SourceRepository } from './source.repository.js';
import type { SourceSyncService } from './source-sync.service.js';

const T0 = Date.parse('2026-11-22T06:00:00Z');

function harness(sources: Partial<SourceEntity>[], syncing: string[] = []) {
  const started: string[] = [];
  const config = { sources: { pollIntervalSeconds: 60 } } as HubConfig;
  const repository = { list: async () => sources.map((s) => ({ createdAt: new Date(T0), lastFetchedAt: null, lastErrorAt: null, pollIntervalSeconds: null, ...s })) };
  const sync = { isSyncing: (id: string) => syncing.includes(id), sync: async (id: string) => void started.push(id) };
  const poller = new SourcePoller(config, repository as unknown as SourceRepository, sync as unknown as SourceSyncService);
  return { poller, started };
}

describe('SourcePoller.tick', () => {
  it('polls a source once its interval has passed since its last fetch, then counts from that poll', async () => {
    const { poller } = harness([{ id: 'a', lastFetchedAt: new Date(T0) }]);
    expect(await poller.tick(T0 + 59_000)).toEqual([]);
    expect(await poller.tick(T0 + 60_000)).toEqual(['a']);
    expect(await poller.tick(T0 + 90_000)).toEqual([]);
    expect(await poller.tick(T0 + 120_000)).toEqual(['a']);
  });

  it.each([
    ['its own interval', { id: 'a', pollIntervalSeconds: 10 }, T0 + 10_000, ['a']],
    ['polling off for the source', { id: 'a', pollIntervalSeconds: 0 }, T0 + 999_000, []],
    ['the hub default', { id: 'a' }, T0 + 30_000, []],
  ])('uses %s', async (_label, source, now, expected) => {
    const { poller } = harness([source]);
    expect(await poller.tick(now)).toEqual(expected);
  });

  it('skips a source while a sync of it runs', async () => {
    const { poller, started } = harness([{ id: 'busy' }, { id: 'idle' }], ['busy']);
    expect(await poller.tick(T0 + 3_600_000)).toEqual(['idle']);
    expect(started).toEqual(['idle']);
  });
});
