import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKeyring } from '@flotilla/crypto';
import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import { AgentStateError } from './agent-connection.error.js';
import type { AgentIdentity, PersistedBundle } from './agent-state.store.js';
import { ClusterSecretIdentityStore } from './cluster-secret-identity.store.js';
import { EncryptedFileStateStore } from './encrypted-file-state.store.js';

const identity: AgentIdentity = { privateKeyPem: 'KEY-PEM', certificatePem: 'CERT-PEM', caCertificatePem: 'CA-PEM', clusterUid: '6c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f' };
const web: PersistedBundle = { kind: 'desired', bundle: 'web', generation: '7', hash: 'sha256:abc', revision: 'r1', contentJson: '{"manifests":[],"policy":{}}', dependsOn: [], suspend: false };
const ref = { namespace: 'flotilla-system', name: 'flotilla-agent-identity' };
const secretKey = { apiVersion: 'v1', kind: 'Secret', ...ref };

describe('ClusterSecretIdentityStore', () => {
  let root: string;
  let client: InMemoryClusterClient;
  const keyring = EncryptionKeyring.parse(EncryptionKeyring.generateSpec('agent'));
  /** A fresh state directory each call: what a pod rescheduled onto another node gets. */
  let volumes = 0;
  const freshVolume = () => new EncryptedFileStateStore(join(root, `volume-${(volumes += 1)}`), keyring);
  const store = (delegate = freshVolume()) => new ClusterSecretIdentityStore(client, ref, delegate);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'agent-identity-'));
    client = new InMemoryClusterClient(new SimulatedCluster({ simulatePods: false }));
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.namespace } }, { fieldManager: 'test' });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('keeps the key before registration and then the whole identity in the Secret, across empty state volumes', async () => {
    expect(await store().loadIdentity()).toBeUndefined();
    expect(await store().loadPrivateKey()).toBeUndefined();
    await store().savePrivateKey('EARLY-KEY');
    expect(await store().loadPrivateKey()).toBe('EARLY-KEY');
    expect(await store().loadIdentity()).toBeUndefined();
    await store().saveIdentity(identity);
    expect(await store().loadIdentity()).toEqual(identity);
    expect(await store().loadPrivateKey()).toBe('KEY-PEM');
    const secret = await client.get(secretKey);
    expect(Object.keys(secret!.data as object).sort()).toEqual(['ca.crt', 'cluster-uid', 'tls.crt', 'tls.key']);
  });

  it('keeps bundles in the delegate store', async () => {
    const volume = freshVolume();
    await store(volume).saveBundle(web);
    expect(await store(volume).loadBundles()).toEqual([web]);
    expect(await store().loadBundles()).toEqual([]);
  });

  it('moves an identity the state volume held from before into the Secret', async () => {
    const volume = freshVolume();
    await volume.saveIdentity(identity);
    expect(await store(volume).loadIdentity()).toEqual(identity);
    expect(await store().loadIdentity()).toEqual(identity);
  });

  it.each([
    ['a certificate without the rest', { 'tls.crt': 'Q0VSVA==' }, 'has no "tls.key"'],
    ['data that is not a map', 'text', 'has data that is not a map'],
    ['a value that is not text', { 'tls.crt': 5 }, 'has a "tls.crt" that is not base64 text'],
  ])('refuses a Secret holding %s, naming it', async (_what, data, message) => {
    // Written by someone else, bypassing validation: the store must not trust what it reads.
    const tampered = { ...client, get: async () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { ...ref }, data }) } as unknown as InMemoryClusterClient;
    const loading = new ClusterSecretIdentityStore(tampered, ref, freshVolume()).loadIdentity();
    await expect(loading).rejects.toThrow(AgentStateError);
    await expect(loading).rejects.toThrow(`agent state Secret flotilla-system/flotilla-agent-identity: ${message}`);
  });

  it('names the Secret when the cluster cannot be reached', async () => {
    const failing = { ...client, get: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as InMemoryClusterClient;
    await expect(new ClusterSecretIdentityStore(failing, ref, freshVolume()).loadIdentity()).rejects.toThrow(
      'agent state Secret flotilla-system/flotilla-agent-identity: cannot be read: connect ECONNREFUSED',
    );
  });
});
