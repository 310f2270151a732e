import { gunzipSync, gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { EncryptionKeyring } from '@flotilla/crypto';
import { DataSource } from 'typeorm';

const BATCH = 500;

/**
 * Rendered output, stored once per content hash: gzip-compressed, then encrypted with the hub's
 * key (bound to the hash, so a row cannot be swapped for another). Renders hold Secret values.
 */
@Injectable()
export class RenderedContentStore {
  private readonly known = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: EncryptionKeyring,
  ) {}

  /** Stores what is not stored yet; safe to call with hashes stored before or by another hub. */
  async putMany(entries: readonly { hash: string; json: string }[]): Promise<void> {
    const fresh = new Map<string, string>();
    for (const entry of entries) if (!this.known.has(entry.hash)) fresh.set(entry.hash, entry.json);
    const pending = [...fresh.entries()];
    for (let offset = 0; offset < pending.length; offset += BATCH) {
      const slice = pending.slice(offset, offset + BATCH);
      const sealed = slice.map(([hash, json]) => this.keyring.encrypt(gzipSync(json, { level: 6 }), contextOf(hash)));
      await this.dataSource.query(
        `INSERT INTO rendered_contents (hash, content, plain_bytes)
         SELECT * FROM unnest($1::text[], $2::bytea[], $3::int[]) ON CONFLICT (hash) DO NOTHING`,
        [slice.map(([hash]) => hash), sealed, slice.map(([, json]) => Buffer.byteLength(json))],
      );
      for (const [hash] of slice) this.known.add(hash);
    }
  }

  /** The canonical JSON text of a render, or undefined when the hash is not stored. */
  async get(hash: string): Promise<string | undefined> {
    const rows: { content: Buffer }[] = await this.dataSource.query('SELECT content FROM rendered_contents WHERE hash = $1', [hash]);
    if (rows.length === 0) return undefined;
    return gunzipSync(this.keyring.decrypt(rows[0]!.content, contextOf(hash))).toString('utf8');
  }
}

function contextOf(hash: string): string {
  return `render:${hash}`;
}
