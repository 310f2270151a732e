import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type ApprovalKind = 'empty-revision' | 'mass-removal';

/** A change the safety valve holds until a person approves or rejects it. */
export interface ApprovalRecord {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly sourceId: string;
  readonly revision: string;
  readonly bundleName: string | null;
  readonly details: string;
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
  readonly decidedBy: string | null;
  readonly decision: 'approved' | 'rejected' | null;
}

/** The approvals table: requests are idempotent (one open request per change), decisions final. */
@Injectable()
export class ApprovalsService {
  private readonly logger = new Logger(ApprovalsService.name);

  constructor(private readonly dataSource: DataSource) {}

  async request(kind: ApprovalKind, sourceId: string, revision: string, bundleName: string | null, details: string): Promise<void> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO approvals (kind, source_id, revision, bundle_name, details) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source_id, revision, kind, coalesce(bundle_name, '')) WHERE decided_at IS NULL DO NOTHING RETURNING id`,
      [kind, sourceId, revision, bundleName, details],
    );
    if (inserted.length > 0) this.logger.warn(`waiting for approval: ${details}`);
  }

  async isApproved(kind: ApprovalKind, sourceId: string, revision: string, bundleName: string | null): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM approvals WHERE kind = $1 AND source_id = $2 AND revision = $3 AND coalesce(bundle_name, '') = coalesce($4, '') AND decision = 'approved' LIMIT 1`,
      [kind, sourceId, revision, bundleName],
    );
    return rows.length > 0;
  }

  async list(pendingOnly: boolean): Promise<ApprovalRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM approvals ${pendingOnly ? 'WHERE decided_at IS NULL' : ''} ORDER BY id DESC LIMIT 500`,
    );
    return rows.map(toRecord);
  }

  /** Records a decision on an open request; undefined when there is no such open request. */
  async decide(id: string, decision: 'approved' | 'rejected', by: string): Promise<ApprovalRecord | undefined> {
    // For UPDATE … RETURNING, TypeORM's postgres driver answers [rows, affected count].
    const [rows] = (await this.dataSource.query(
      `UPDATE approvals SET decided_at = now(), decided_by = $2, decision = $3 WHERE id = $1 AND decided_at IS NULL RETURNING *`,
      [id, by, decision],
    )) as [Record<string, unknown>[], number];
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}

function toRecord(row: Record<string, unknown>): ApprovalRecord {
  return {
    id: String(row.id),
    kind: row.kind as ApprovalKind,
    sourceId: row.source_id as string,
    revision: row.revision as string,
    bundleName: (row.bundle_name as string | null) ?? null,
    details: row.details as string,
    createdAt: row.created_at as Date,
    decidedAt: (row.decided_at as Date | null) ?? null,
    decidedBy: (row.decided_by as string | null) ?? null,
    decision: (row.decision as ApprovalRecord['decision']) ?? null,
  };
}
