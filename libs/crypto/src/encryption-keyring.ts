import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('FLE1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Why a key specification was refused; the message never contains key material. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

/** A ciphertext could not be opened: unknown key id, wrong context, or tampered bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

interface Key {
  readonly id: string;
  readonly material: Buffer;
}

/**
 * AES-256-GCM envelope encryption with named keys. The first key of the spec encrypts; every key
 * decrypts, so keys rotate by prepending a new one. Each ciphertext is bound to a context string
 * (e.g. `source:42:credentials`) so it cannot be moved to another row or purpose.
 *
 * Envelope: `FLE1` | key-id length (1 byte) | key id | IV (12) | tag (16) | ciphertext.
 */
export class EncryptionKeyring {
  private readonly keys: ReadonlyMap<string, Key>;

  private constructor(private readonly primary: Key, all: Key[]) {
    this.keys = new Map(all.map((key) => [key.id, key]));
  }

  /** Parses `id:base64key[,id:base64key…]`; the first entry is the primary (encrypting) key. */
  static parse(spec: string): EncryptionKeyring {
    const entries = spec.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
    if (entries.length === 0) throw new EncryptionKeyError('expected "id:base64key[,id:base64key…]", got an empty value');
    const keys: Key[] = [];
    for (const [index, entry] of entries.entries()) {
      const colon = entry.indexOf(':');
      if (colon < 0) throw new EncryptionKeyError(`entry ${index + 1} has no key id (expected "id:base64key")`);
      const id = entry.slice(0, colon);
      const encoded = entry.slice(colon + 1);
      if (!KEY_ID.test(id)) {
        throw new EncryptionKeyError(`entry ${index + 1}: key id "${id}" must be 1-32 of a-z, 0-9, "-" and start alphanumeric`);
      }
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
        throw new EncryptionKeyError(`entry ${index + 1} (key "${id}"): the key is not base64`);
      }
      const material = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
      if (material.length !== KEY_BYTES) {
        throw new EncryptionKeyError(`entry ${index + 1} (key "${id}"): expected ${KEY_BYTES} bytes, got ${material.length}`);
      }
      if (keys.some((key) => key.id === id)) throw new EncryptionKeyError(`key id "${id}" appears twice`);
      keys.push({ id, material });
    }
    return new EncryptionKeyring(keys[0]!, keys);
  }

  /** A fresh key specification (`id:base64key`) suitable for FLOTILLA_ENCRYPTION_KEY. */
  static generateSpec(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
    if (!KEY_ID.test(id)) throw new EncryptionKeyError(`key id "${id}" is not valid`);
    return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  get primaryKeyId(): string {
    return this.primary.id;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: Buffer, context: string): Buffer {
    const keyId = Buffer.from(this.primary.id, 'ascii');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.primary.material, iv);
    cipher.setAAD(aad(context, this.primary.id));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.of(keyId.length), keyId, iv, cipher.getAuthTag(), body]);
  }

  decrypt(envelope: Buffer, context: string): Buffer {
    const header = MAGIC.length + 1;
    if (envelope.length < header || !envelope.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new DecryptionError('not a Flotilla ciphertext (bad header)');
    }
    const idLength = envelope[MAGIC.length]!;
    const ivStart = header + idLength;
    if (envelope.length < ivStart + IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext is truncated');
    const keyId = envelope.subarray(header, ivStart).toString('ascii');
    const key = this.keys.get(keyId);
    if (!key) throw new DecryptionError(`ciphertext was sealed with key "${keyId}", which is not configured`);
    const iv = envelope.subarray(ivStart, ivStart + IV_BYTES);
    const tag = envelope.subarray(ivStart + IV_BYTES, ivStart + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key.material, iv);
    decipher.setAAD(aad(context, keyId));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(envelope.subarray(ivStart + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DecryptionError(`ciphertext under key "${keyId}" failed authentication (tampered, or a different context)`);
    }
  }

  /** Key id a ciphertext was sealed with, to find what a rotation still has to re-encrypt. */
  static keyIdOf(envelope: Buffer): string {
    if (envelope.length < MAGIC.length + 1 || !envelope.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new DecryptionError('not a Flotilla ciphertext (bad header)');
    }
    return envelope.subarray(MAGIC.length + 1, MAGIC.length + 1 + envelope[MAGIC.length]!).toString('ascii');
  }

  encryptString(plaintext: string, context: string): string {
    return this.encrypt(Buffer.from(plaintext, 'utf8'), context).toString('base64');
  }

  decryptString(ciphertext: string, context: string): string {
    return this.decrypt(Buffer.from(ciphertext, 'base64'), context).toString('utf8');
  }
}

function aad(context: string, keyId: string): Buffer {
  return Buffer.from(`flotilla/v1/${keyId}/${context}`, 'utf8');
}
