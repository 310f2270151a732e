import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DecryptionError, type EncryptionKeyring } from '@flotilla/crypto';
import { AgentStateError } from './agent-connection.error.js';
import type { AgentIdentity, AgentStateStore, PersistedBundle } from './agent-state.store.js';

const KEY_FILE = 'private-key.enc';
const IDENTITY_FILE = 'identity.enc';
const BUNDLES_DIR = 'bundles';
const TEMP_MARKER = '.tmp-';
/** Bundle names are DNS-1123 labels (they become label values), which also makes them safe file names. */
const BUNDLE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * AgentStateStore over a directory (mode 0700): every file AES-256-GCM sealed by the keyring, bound
 * to its own name (a file copied over another fails to open), written to a temporary file, synced
 * and renamed into place, mode 0600. A file that fails to open is an AgentStateError naming it.
 */
export class EncryptedFileStateStore implements AgentStateStore {
  private prepared?: Promise<void>;

  constructor(
    readonly directory: string,
    private readonly keyring: EncryptionKeyring,
  ) {}

  async loadPrivateKey(): Promise<string | undefined> {
    const identity = await this.loadIdentity();
    if (identity) return identity.privateKeyPem;
    const sealed = await this.read(KEY_FILE);
    if (sealed === undefined) return undefined;
    const value = this.open(KEY_FILE, sealed) as { privateKeyPem?: unknown };
    if (typeof value.privateKeyPem !== 'string') throw new AgentStateError(this.path(KEY_FILE), 'holds no private key');
    return value.privateKeyPem;
  }

  async savePrivateKey(privateKeyPem: string): Promise<void> {
    await this.write(KEY_FILE, { privateKeyPem });
  }

  async loadIdentity(): Promise<AgentIdentity | undefined> {
    const sealed = await this.read(IDENTITY_FILE);
    if (sealed === undefined) return undefined;
    const value = this.open(IDENTITY_FILE, sealed) as Record<string, unknown>;
    for (const field of ['privateKeyPem', 'certificatePem', 'caCertificatePem', 'clusterUid']) {
      if (typeof value[field] !== 'string' || value[field] === '') throw new AgentStateError(this.path(IDENTITY_FILE), `has no ${field}`);
    }
    return value as unknown as AgentIdentity;
  }

  async saveIdentity(identity: AgentIdentity): Promise<void> {
    await this.write(IDENTITY_FILE, { ...identity });
    // The key now lives in the identity; the pre-registration copy is no longer needed.
    await rm(this.path(KEY_FILE), { force: true });
  }

  async loadBundles(): Promise<PersistedBundle[]> {
    await this.prepare();
    const dir = join(this.directory, BUNDLES_DIR);
    const bundles: PersistedBundle[] = [];
    for (const entry of (await readdir(dir)).sort()) {
      const file = `${BUNDLES_DIR}/${entry}`;
      if (entry.includes(TEMP_MARKER)) {
        // Left by a crash between write and rename; the previous file (if any) is still whole.
        await rm(this.path(file), { force: true });
        continue;
      }
      if (!entry.endsWith('.enc')) continue;
      const name = entry.slice(0, -'.enc'.length);
      const value = this.open(file, (await this.read(file))!);
      bundles.push(this.checkBundle(file, name, value));
    }
    return bundles;
  }

  async saveBundle(bundle: PersistedBundle): Promise<void> {
    if (!BUNDLE_NAME.test(bundle.bundle)) throw new RangeError(`"${bundle.bundle}" is not a valid bundle name (a DNS-1123 label)`);
    await this.write(`${BUNDLES_DIR}/${bundle.bundle}.enc`, { ...bundle });
  }

  private checkBundle(file: string, name: string, value: unknown): PersistedBundle {
    const fail = (why: string): never => {
      throw new AgentStateError(this.path(file), why);
    };
    if (typeof value !== 'object' || value === null) return fail('is not a bundle record');
    const record = value as Record<string, unknown>;
    if (record.bundle !== name) return fail(`names bundle "${String(record.bundle)}", not "${name}"`);
    if (typeof record.generation !== 'string' || !/^\d+$/.test(record.generation)) return fail('has no valid generation');
    if (record.kind === 'desired') {
      const ok =
        typeof record.hash === 'string' &&
        typeof record.revision === 'string' &&
        typeof record.contentJson === 'string' &&
        Array.isArray(record.dependsOn) &&
        record.dependsOn.every((d) => typeof d === 'string') &&
        typeof record.suspend === 'boolean';
      return ok ? (record as unknown as PersistedBundle) : fail('is an incomplete desired state');
    }
    if (record.kind === 'removed') {
      return record.deletionPolicy === 'delete' || record.deletionPolicy === 'orphan' ? (record as unknown as PersistedBundle) : fail('has no valid deletion policy');
    }
    return fail(`has an unknown kind "${String(record.kind)}"`);
  }

  private path(file: string): string {
    return join(this.directory, file);
  }

  private prepare(): Promise<void> {
    this.prepared ??= mkdir(join(this.directory, BUNDLES_DIR), { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.prepared;
  }

  private async read(file: string): Promise<Buffer | undefined> {
    await this.prepare();
    try {
      return await readFile(this.path(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AgentStateError(this.path(file), `cannot be read: ${(error as Error).message}`);
    }
  }

  private open(file: string, sealed: Buffer): unknown {
    let plain: Buffer;
    try {
      plain = this.keyring.decrypt(sealed, context(file));
    } catch (error) {
      if (error instanceof DecryptionError) throw new AgentStateError(this.path(file), `cannot be decrypted (${error.message})`);
      throw error;
    }
    try {
      return JSON.parse(plain.toString('utf8'));
    } catch {
      throw new AgentStateError(this.path(file), 'decrypts to something that is not JSON');
    }
  }

  private async write(file: string, value: object): Promise<void> {
    await this.prepare();
    const target = this.path(file);
    const temp = `${target}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`;
    const sealed = this.keyring.encrypt(Buffer.from(JSON.stringify(value), 'utf8'), context(file));
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(sealed);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename is durable only once the directory entry is.
    const dir = await open(join(target, '..'), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function context(file: string): string {
  return `agent-state:${file}`;
}
