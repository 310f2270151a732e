import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptionKeyError, EncryptionKeyring } from '@flotilla/crypto';
import { ConfigError } from '../config/config.error.js';
import type { HubConfig } from '../config/hub-config.js';

export const GENERATED_KEY_FILE = 'encryption.key';

/**
 * FLOTILLA_ENCRYPTION_KEY when set. In development without it, a key generated once into the data
 * directory (mode 0600), with a warning; production never gets here without a key (config refuses).
 */
export async function loadEncryptionKeyring(config: HubConfig, warn: (message: string) => void): Promise<EncryptionKeyring> {
  if (config.encryptionKey) {
    try {
      return EncryptionKeyring.parse(config.encryptionKey);
    } catch (error) {
      if (error instanceof EncryptionKeyError) throw new ConfigError([`FLOTILLA_ENCRYPTION_KEY: ${error.message}`]);
      throw error;
    }
  }
  const file = join(config.dataDir, GENERATED_KEY_FILE);
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) {
    try {
      return EncryptionKeyring.parse(existing.trim());
    } catch (error) {
      throw new ConfigError([`FLOTILLA_ENCRYPTION_KEY is unset and the generated key in ${file} is unusable: ${(error as Error).message}`]);
    }
  }
  const spec = EncryptionKeyring.generateSpec();
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
  warn(`FLOTILLA_ENCRYPTION_KEY is not set: generated a development key in ${file}. Set FLOTILLA_ENCRYPTION_KEY in production.`);
  return EncryptionKeyring.parse(spec);
}
