import type { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../graphql/pagination.js';
import type { ApprovalModel } from './dtos/approval.model.js';

/** One page of approvals, newest first (by id), after the cursor; pending only or all; with the total. */
export async function selectApprovalPage(db: DataSource, pendingOnly: boolean, first: number, after: string | null | undefined): Promise<Page<ApprovalModel>> {
  const conditions = pendingOnly ? 'decided_at IS NULL' : 'true';
  const params: unknown[] = [];
  let keyset = '';
  if (after) {
    const [id] = decodeCursor(after, ['number']);
    params.push(id);
    keyset = ` AND id < $1::bigint`;
  }
  params.push(first + 1);
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT id::text AS id, kind, source_id AS "sourceId", revision, bundle_name AS "bundleName", details, created_at AS "createdAt",
              decision, decided_by AS "decidedBy", decided_at AS "decidedAt"
         FROM approvals WHERE ${conditions}${keyset} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    ) as Promise<ApprovalModel[]>,
    db.query(`SELECT count(*)::int AS n FROM approvals WHERE ${conditions}`) as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [Number(row.id)], (row) => row);
}
