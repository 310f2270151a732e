import { LessThan, MoreThan, type DataSource, type Repository } from 'typeorm';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { AuditRecordEntity, type AuditOutcome } from './audit-record.entity.js';

export interface AuditEntry {
  readonly actor: string;
  readonly actorTokenId?: string | null;
  readonly actorRole?: string | null;
  readonly action: string;
  /** Already redacted by the caller: this adapter stores what it is given. */
  readonly arguments: Record<string, unknown>;
  readonly outcome: AuditOutcome;
  readonly error?: string | null;
}

/** The newest record and its hash: what is written outside the database to detect a rewrite of the whole table. */
export interface AuditChainHead {
  readonly id: string;
  readonly hash: string;
}

/** Outcome of walking the chain. `firstBrokenId` is the first record whose hashes do not hold. */
export interface AuditChainVerification {
  readonly valid: boolean;
  readonly records: number;
  readonly firstBrokenId: string | null;
  readonly problem: string | null;
  readonly head: AuditChainHead | null;
}

const CHAIN_LOCK = 0x666c6f77;
const VERIFY_PAGE = 2_000;

/** Appends to and reads the audit log; there is deliberately no update or delete here. */
export class AuditLogRepository {
  private readonly records: Repository<AuditRecordEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.records = dataSource.getRepository(AuditRecordEntity);
  }

  /** Appends a record sealed with the hash of the one before it (appends are serialized by an advisory lock). */
  async append(entry: AuditEntry): Promise<AuditChainHead> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const last: { hash: Buffer }[] = await manager.query('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
      const previous = last[0]?.hash ?? GENESIS_HASH;
      // Millisecond precision, so the value hashed is the value stored and read back.
      const occurredAt = new Date();
      const fields = {
        occurredAt,
        actor: entry.actor,
        actorTokenId: entry.actorTokenId ?? null,
        actorRole: entry.actorRole ?? null,
        action: entry.action,
        arguments: entry.arguments,
        outcome: entry.outcome,
        error: entry.error ?? null,
      };
      const hash = chainHash(previous, fields);
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO audit_log (occurred_at, actor, actor_token_id, actor_role, action, arguments, outcome, error, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [occurredAt, fields.actor, fields.actorTokenId, fields.actorRole, fields.action, JSON.stringify(fields.arguments), fields.outcome, fields.error, previous, hash],
      );
      return { id: String(inserted[0]!.id), hash: hash.toString('hex') };
    });
  }

  /** Newest first; `beforeId` pages backwards. */
  async list(limit: number, beforeId?: string): Promise<AuditRecordEntity[]> {
    return this.records.find({
      where: beforeId ? { id: LessThan(beforeId) } : {},
      order: { id: 'DESC' },
      take: limit,
    });
  }

  async head(): Promise<AuditChainHead | null> {
    const rows: { id: string; hash: Buffer }[] = await this.dataSource.query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    return rows[0] ? { id: String(rows[0].id), hash: rows[0].hash.toString('hex') } : null;
  }

  /**
   * Recomputes every hash from the first record on, and compares the newest with a head kept
   * outside the database when one is given (which also detects a rewrite of the whole table).
   */
  async verify(expectedHead?: AuditChainHead): Promise<AuditChainVerification> {
    let previous: Buffer = GENESIS_HASH;
    let count = 0;
    let lastId = '0';
    let head: AuditChainHead | null = null;
    const broken = (id: string, problem: string): AuditChainVerification => ({ valid: false, records: count, firstBrokenId: id, problem, head });
    for (;;) {
      const page = await this.records.find({ where: { id: MoreThan(lastId) }, order: { id: 'ASC' }, take: VERIFY_PAGE, select: { ...allColumns } });
      if (page.length === 0) break;
      for (const record of page) {
        count += 1;
        if (!record.prevHash.equals(previous)) return broken(record.id, 'its previous-hash does not match the record before it (a record was removed or reordered)');
        const expected = chainHash(previous, record);
        if (!record.hash.equals(expected)) return broken(record.id, 'its content does not match its hash (the record was changed)');
        previous = record.hash;
        head = { id: record.id, hash: record.hash.toString('hex') };
      }
      lastId = page.at(-1)!.id;
    }
    if (expectedHead) {
      const stored = head && Number(head.id) >= Number(expectedHead.id);
      if (!stored) return { valid: false, records: count, firstBrokenId: expectedHead.id, problem: `record ${expectedHead.id}, seen earlier, is gone`, head };
      const atHead = await this.records.findOne({ where: { id: expectedHead.id }, select: { ...allColumns } });
      if (!atHead || atHead.hash.toString('hex') !== expectedHead.hash) {
        return { valid: false, records: count, firstBrokenId: expectedHead.id, problem: `record ${expectedHead.id} no longer has the hash written outside the database`, head };
      }
    }
    return { valid: true, records: count, firstBrokenId: null, problem: null, head };
  }
}

const allColumns = {
  id: true,
  occurredAt: true,
  actor: true,
  actorTokenId: true,
  actorRole: true,
  action: true,
  arguments: true,
  outcome: true,
  error: true,
  prevHash: true,
  hash: true,
} as const;
