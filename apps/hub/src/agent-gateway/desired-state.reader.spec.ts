import { DeletionPolicy, HubMessage } from '@flotilla/protocol';
import type { DataSource } from 'typeorm';
import type { RenderedContentStore } from '../bundle-deployments/rendered-content.store.js';
import { DesiredStateReader, type DesiredEntry } from './desired-state.reader.js';

const entry = (overrides: Partial<DesiredEntry> = {}): DesiredEntry => ({
  bundleId: 'b-1',
  bundle: 'web',
  generation: 10n,
  hash: 'sha256:aa',
  revision: 'r1',
  removal: null,
  dependsOn: [],
  suspend: false,
  ...overrides,
});

const reader = (contents: Record<string, string>) => {
  const reads: string[] = [];
  const store = { get: async (hash: string) => (reads.push(hash), contents[hash]) } as unknown as RenderedContentStore;
  return { reader: new DesiredStateReader({} as DataSource, store), reads };
};

const decode = (message: Awaited<ReturnType<DesiredStateReader['messageFor']>>): HubMessage =>
  Buffer.isBuffer(message) ? HubMessage.decode(message) : message!;

describe('DesiredStateReader.messageFor', () => {
  it('reads shared content once for a fan-out, each cluster getting its own generation', async () => {
    const { reader: r, reads } = reader({ 'sha256:aa': '{"manifests":[]}' });
    const messages: HubMessage[] = [];
    for (const generation of [10n, 11n, 12n]) messages.push(decode(await r.messageFor(entry({ generation }))));
    expect(messages.map((m) => m.body)).toEqual(
      [10n, 11n, 12n].map((generation) => ({
        $case: 'desired',
        value: { bundle: 'web', generation, hash: 'sha256:aa', revision: 'r1', contentJson: '{"manifests":[]}', dependsOn: [], suspend: false },
      })),
    );
    expect(reads).toEqual(['sha256:aa']);
  });

  it('keeps what differs between clusters apart: suspension, dependencies and revision are not shared by mistake', async () => {
    const { reader: r } = reader({ 'sha256:aa': '{"manifests":[]}' });
    const plain = decode(await r.messageFor(entry()));
    const suspended = decode(await r.messageFor(entry({ suspend: true })));
    const dependent = decode(await r.messageFor(entry({ dependsOn: ['db'] })));
    const revised = decode(await r.messageFor(entry({ revision: 'r2' })));
    expect(plain.body).toMatchObject({ value: { suspend: false, dependsOn: [], revision: 'r1' } });
    expect(suspended.body).toMatchObject({ value: { suspend: true } });
    expect(dependent.body).toMatchObject({ value: { dependsOn: ['db'] } });
    expect(revised.body).toMatchObject({ value: { revision: 'r2' } });
  });

  it('turns a removal into Remove with its deletion policy', async () => {
    const { reader: r, reads } = reader({});
    expect(decode(await r.messageFor(entry({ removal: 'orphan' })))).toEqual({
      body: { $case: 'remove', value: { bundle: 'web', generation: 10n, deletionPolicy: DeletionPolicy.DELETION_POLICY_ORPHAN } },
    });
    expect(reads).toEqual([]);
  });

  it('has no message when the content is not stored', async () => {
    const { reader: r } = reader({});
    expect(await r.messageFor(entry())).toBeUndefined();
  });
});
