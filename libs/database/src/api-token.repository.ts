import { hashApiToken, looksLikeApiToken, mintApiToken } from '@flotilla/crypto';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { ApiTokenEntity, type ApiRole } from './api-token.entity.js';

/** Who made a request, as established from a valid token. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: ApiRole;
}

export interface IssueTokenInput {
  readonly name: string;
  readonly role: ApiRole;
  readonly createdBy: string;
  readonly expiresAt?: Date | null;
}

/** The only moment the secret exists outside the caller: return it to the person, then forget it. */
export interface IssuedToken {
  readonly token: string;
  readonly record: ApiTokenEntity;
}

const INITIAL_ADMIN_LOCK = 0x666c6f75;
const LAST_USED_RESOLUTION_MS = 60_000;

/** Stores API tokens hashed; the database adapter behind authentication and the `token` CLI. */
export class ApiTokenRepository {
  private readonly tokens: Repository<ApiTokenEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.tokens = dataSource.getRepository(ApiTokenEntity);
  }

  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    const minted = mintApiToken();
    const record = await this.tokens.save(
      this.tokens.create({
        name: input.name,
        role: input.role,
        tokenHash: minted.hash,
        displayPrefix: minted.displayPrefix,
        createdBy: input.createdBy,
        expiresAt: input.expiresAt ?? null,
      }),
    );
    const stored = await this.tokens.findOneByOrFail({ id: record.id });
    return { token: minted.token, record: stored };
  }

  /**
   * Creates an admin token only when no token exists at all (first start). Safe when several hubs
   * start at once: the check and the insert run under one transaction-scoped advisory lock.
   */
  async issueInitialAdmin(): Promise<IssuedToken | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [INITIAL_ADMIN_LOCK]);
      if ((await manager.count(ApiTokenEntity)) > 0) return undefined;
      const minted = mintApiToken();
      const record = await manager.save(
        manager.create(ApiTokenEntity, {
          name: 'initial-admin',
          role: 'admin',
          tokenHash: minted.hash,
          displayPrefix: minted.displayPrefix,
          createdBy: 'system:first-start',
          expiresAt: null,
        }),
      );
      return { token: minted.token, record: await manager.findOneByOrFail(ApiTokenEntity, { id: record.id }) };
    });
  }

  /** The principal for a presented token, or undefined when it is unknown, revoked or expired. */
  async authenticate(token: string, now = new Date()): Promise<Principal | undefined> {
    if (!looksLikeApiToken(token)) return undefined;
    const record = await this.tokens.findOneBy({ tokenHash: hashApiToken(token), revokedAt: IsNull() });
    if (!record || (record.expiresAt && record.expiresAt <= now)) return undefined;
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.tokens.update({ id: record.id }, { lastUsedAt: now });
    }
    return { tokenId: record.id, name: record.name, role: record.role };
  }

  /** Marks a token revoked; returns the record, or undefined when no such token exists. */
  async revoke(id: string): Promise<ApiTokenEntity | undefined> {
    await this.tokens.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (await this.tokens.findOneBy({ id })) ?? undefined;
  }

  async list(): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ order: { createdAt: 'ASC' } });
  }
}
