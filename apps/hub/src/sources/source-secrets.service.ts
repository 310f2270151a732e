import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EncryptionKeyring } from '@flotilla/crypto';
import type { GitCredentials } from '@flotilla/git';

/**
 * Seals and opens a source's secrets (Git credentials, webhook secret) with the hub keyring.
 * Each ciphertext is bound to its source id and purpose, so it cannot be moved to another row.
 */
@Injectable()
export class SourceSecrets {
  constructor(private readonly keyring: EncryptionKeyring) {}

  sealCredentials(sourceId: string, credentials: GitCredentials): Buffer {
    return this.keyring.encrypt(Buffer.from(JSON.stringify(credentials), 'utf8'), `source:${sourceId}:credentials`);
  }

  openCredentials(sourceId: string, sealed: Buffer): GitCredentials {
    return JSON.parse(this.keyring.decrypt(sealed, `source:${sourceId}:credentials`).toString('utf8')) as GitCredentials;
  }

  /** A new random webhook secret (shown once) and its sealed form (stored). */
  newWebhookSecret(sourceId: string): { secret: string; sealed: Buffer } {
    const secret = randomBytes(32).toString('base64url');
    return { secret, sealed: this.keyring.encrypt(Buffer.from(secret, 'utf8'), `source:${sourceId}:webhook-secret`) };
  }

  openWebhookSecret(sourceId: string, sealed: Buffer): string {
    return this.keyring.decrypt(sealed, `source:${sourceId}:webhook-secret`).toString('utf8');
  }
}
