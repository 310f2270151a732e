import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

const PREFIX = 'flb_';

/** A stored bootstrap token, as far as registration needs it. */
export interface BootstrapTokenRecord {
  readonly id: string;
  readonly clusterId: string;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly usedKeySha256: string | null;
}

export function hashBootstrapToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Bootstrap tokens: random, stored only as a hash, bound to one cluster, expiring. */
@Injectable()
export class BootstrapTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A new token for a cluster; the cluster's earlier unused tokens stop working. */
  async issue(clusterId: string, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM bootstrap_tokens WHERE cluster_id = $1 AND used_at IS NULL', [clusterId]);
      await manager.query('INSERT INTO bootstrap_tokens (cluster_id, token_hash, expires_at) VALUES ($1, $2, $3)', [clusterId, hashBootstrapToken(token), expiresAt]);
    });
    return { token, expiresAt };
  }

  /** Finds a token and locks its row for the rest of the transaction. */
  async findForUpdate(manager: EntityManager, token: string): Promise<BootstrapTokenRecord | undefined> {
    if (!/^flb_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const rows: Record<string, unknown>[] = await manager.query(
      'SELECT id, cluster_id, expires_at, used_at, used_key_sha256 FROM bootstrap_tokens WHERE token_hash = $1 FOR UPDATE',
      [hashBootstrapToken(token)],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id as string,
      clusterId: row.cluster_id as string,
      expiresAt: row.expires_at as Date,
      usedAt: (row.used_at as Date | null) ?? null,
      usedKeySha256: (row.used_key_sha256 as string | null) ?? null,
    };
  }

  async markUsed(manager: EntityManager, id: string, keySha256: string): Promise<void> {
    await manager.query('UPDATE bootstrap_tokens SET used_at = now(), used_key_sha256 = $2 WHERE id = $1 AND used_at IS NULL', [id, keySha256]);
  }
}
