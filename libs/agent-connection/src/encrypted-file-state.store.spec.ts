import { mkdtemp, readdir, readFile, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKeyring } from '@flotilla/crypto';
import { AgentStateError } from './agent-connection.error.js';
import type { AgentIdentity, PersistedBundle } from './agent-state.store.js';
import { EncryptedFileStateStore } from './encrypted-file-state.store.js';

const identity: AgentIdentity = { privateKeyPem: 'KEY-PEM', certificatePem: 'CERT-PEM', caCertificatePem: 'CA-PEM', clusterUid: '6c1f2e3d-4b5a-4c6d-8e7f-9a0b1c2d3e4f' };
const web: PersistedBundle = { kind: 'desired', bundle: 'web', generation: '18446744073709551615', hash: 'sha256:abc', revision: 'r1', contentJson: '{"manifests":[],"policy":{}}', dependsOn: ['db'], suspend: true };
const db: PersistedBundle = { kind: 'removed', bundle: 'db', generation: '4', deletionPolicy: 'orphan' };

describe('EncryptedFileStateStore', () => {
  let dir: string;
  const keyring = EncryptionKeyring.parse(EncryptionKeyring.generateSpec('agent'));
  const store = (ring = keyring) => new EncryptedFileStateStore(dir, ring);

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'agent-state-')), 'state');
  });
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

  it('starts empty', async () => {
    expect(await store().loadIdentity()).toBeUndefined();
    expect(await store().loadPrivateKey()).toBeUndefined();
    expect(await store().loadBundles()).toEqual([]);
  });

  it('keeps the key before registration, then the whole identity', async () => {
    await store().savePrivateKey('EARLY-KEY');
    expect(await store().loadPrivateKey()).toBe('EARLY-KEY');
    await store().saveIdentity(identity);
    expect(await store().loadIdentity()).toEqual(identity);
    expect(await store().loadPrivateKey()).toBe('KEY-PEM');
  });

  it('keeps the last Desired or Remove of each bundle across instances', async () => {
    await store().saveBundle(web);
    await store().saveBundle(db);
    await store().saveBundle({ ...db, generation: '5', deletionPolicy: 'delete' });
    expect(await store().loadBundles()).toEqual([{ ...db, generation: '5', deletionPolicy: 'delete' }, web]);
  });

  it('writes nothing in clear text, every file mode 0600, the directory 0700', async () => {
    await store().saveIdentity(identity);
    await store().saveBundle(web);
    for (const file of ['identity.enc', 'bundles/web.enc']) {
      const bytes = await readFile(join(dir, file));
      expect(bytes.toString('latin1')).not.toMatch(/KEY-PEM|sha256:abc|manifests/);
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'bundles'))).toEqual(['web.enc']);
  });

  it('names the file that is corrupt instead of dropping it', async () => {
    await store().saveBundle(web);
    await store().saveBundle(db);
    const file = join(dir, 'bundles', 'web.enc');
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    const error = (await store().loadBundles().catch((e: unknown) => e)) as AgentStateError;
    expect(error).toBeInstanceOf(AgentStateError);
    expect(error.file).toBe(file);
    expect(error.message).toContain('cannot be decrypted');
  });

  it('refuses files sealed with a key it does not hold', async () => {
    await store().saveIdentity(identity);
    const foreign = EncryptionKeyring.parse(EncryptionKeyring.generateSpec('other'));
    const error = (await store(foreign).loadIdentity().catch((e: unknown) => e)) as AgentStateError;
    expect(error).toBeInstanceOf(AgentStateError);
    expect(error.message).toContain(join(dir, 'identity.enc'));
    expect(error.message).toContain('"agent", which is not configured');
  });

  it('refuses a file copied over another bundle’s name', async () => {
    await store().saveBundle(web);
    await copyFile(join(dir, 'bundles', 'web.enc'), join(dir, 'bundles', 'api.enc'));
    await expect(store().loadBundles()).rejects.toThrow(/bundles\/api\.enc: cannot be decrypted/);
  });

  it('refuses garbage in place of the identity', async () => {
    await store().saveIdentity(identity);
    await writeFile(join(dir, 'identity.enc'), 'not encrypted');
    await expect(store().loadIdentity()).rejects.toThrow(AgentStateError);
  });

  it('clears temporary files a crash left behind, keeping the last whole state', async () => {
    await store().saveBundle(web);
    await writeFile(join(dir, 'bundles', 'web.enc.tmp-1-deadbeef'), 'half a write');
    expect(await store().loadBundles()).toEqual([web]);
    expect(await readdir(join(dir, 'bundles'))).toEqual(['web.enc']);
  });

  it('refuses bundle names that are not DNS labels (they become file names)', async () => {
    await expect(store().saveBundle({ ...db, bundle: '../identity' })).rejects.toThrow(RangeError);
  });
});
