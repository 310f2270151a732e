import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKeyring } from '@flotilla/crypto';
import { ConfigError } from '../config/config.error.js';
import { loadHubConfig } from '../config/hub-config.js';
import { GENERATED_KEY_FILE, loadEncryptionKeyring } from './load-encryption-keyring.util.js';

describe('loadEncryptionKeyring', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'flotilla-key-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates a development key once, private to the owner, and warns', async () => {
    const warnings: string[] = [];
    const config = loadHubConfig({ FLOTILLA_DATA_DIR: dir });
    const first = await loadEncryptionKeyring(config, (m) => warnings.push(m));
    const second = await loadEncryptionKeyring(config, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('FLOTILLA_ENCRYPTION_KEY is not set');
    expect((await stat(join(dir, GENERATED_KEY_FILE))).mode & 0o777).toBe(0o600);
    const sealed = first.encryptString('x', 'ctx');
    expect(second.decryptString(sealed, 'ctx')).toBe('x');
  });

  it('uses FLOTILLA_ENCRYPTION_KEY and writes nothing', async () => {
    const spec = EncryptionKeyring.generateSpec('prod1');
    const ring = await loadEncryptionKeyring(loadHubConfig({ FLOTILLA_DATA_DIR: dir, FLOTILLA_ENCRYPTION_KEY: spec }), () => undefined);
    expect(ring.primaryKeyId).toBe('prod1');
    await expect(readFile(join(dir, GENERATED_KEY_FILE))).rejects.toThrow();
  });

  it('names the variable when the key is malformed', async () => {
    const config = loadHubConfig({ FLOTILLA_DATA_DIR: dir, FLOTILLA_ENCRYPTION_KEY: 'k1:short' });
    await expect(loadEncryptionKeyring(config, () => undefined)).rejects.toThrow(ConfigError);
    await expect(loadEncryptionKeyring(config, () => undefined)).rejects.toThrow(/FLOTILLA_ENCRYPTION_KEY: .*expected 32 bytes/);
  });

  it('refuses a corrupted generated key file instead of silently replacing it', async () => {
    await writeFile(join(dir, GENERATED_KEY_FILE), 'garbage');
    await expect(loadEncryptionKeyring(loadHubConfig({ FLOTILLA_DATA_DIR: dir }), () => undefined)).rejects.toThrow(/is unusable/);
  });
});
