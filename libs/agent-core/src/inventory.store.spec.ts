import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { InventoryStore, InventoryUnreadableError } from './inventory.store.js';

describe('InventoryStore', () => {
  let cluster: SimulatedCluster;
  let client: InMemoryClusterClient;
  let store: InventoryStore;
  beforeEach(() => {
    cluster = new SimulatedCluster();
    client = new InMemoryClusterClient(cluster);
    store = new InventoryStore(client, 'flotilla-system', 'flotilla');
  });
  afterEach(() => cluster.close());

  const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'app', name });

  it('is empty before the first write, creates its namespace, and round-trips sorted unique entries', async () => {
    expect(await store.read('app')).toEqual([]);
    await store.write('app', 3n, [ref('b'), ref('a'), ref('b')]);
    expect(await store.read('app')).toEqual([ref('a'), ref('b')]);
    const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'flotilla-system', name: 'flotilla-inventory-app' });
    expect(cm?.metadata.labels).toEqual({ 'flotilla.dev/inventory-of': 'app' });
    expect((cm?.['data'] as { generation: string }).generation).toBe('3');
    await store.remove('app');
    expect(await store.read('app')).toEqual([]);
  });

  it('refuses a corrupt inventory instead of treating it as empty', async () => {
    await store.write('app', 1n, [ref('a')]);
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flotilla-inventory-app', namespace: 'flotilla-system' }, data: { objects: '{oops' } }, { fieldManager: 'flotilla', force: true });
    await expect(store.read('app')).rejects.toBeInstanceOf(InventoryUnreadableError);
  });
});
