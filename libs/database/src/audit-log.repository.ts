import { LessThan, type DataSource, type Repository } from 'typeorm';
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

/** Appends to and reads the audit log; there is deliberately no update or delete here. */
export class AuditLogRepository {
  private readonly records: Repository<AuditRecordEntity>;

  constructor(dataSource: DataSource) {
    this.records = dataSource.getRepository(AuditRecordEntity);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.records.insert({
      actor: entry.actor,
      actorTokenId: entry.actorTokenId ?? null,
      actorRole: entry.actorRole ?? null,
      action: entry.action,
      // jsonb column: TypeORM's deep-partial typing cannot express an open record.
      arguments: entry.arguments as never,
      outcome: entry.outcome,
      error: entry.error ?? null,
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
}
