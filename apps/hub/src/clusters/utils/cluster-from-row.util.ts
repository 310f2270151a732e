import type { ClusterEntity } from '../cluster.entity.js';

/** A clusters row as raw SQL returns it (snake_case columns). */
export interface ClusterTableRow {
  readonly id: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly vars: Record<string, unknown>;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** The cluster a raw clusters row holds, shaped as TypeORM would load it. */
export function clusterFromRow(row: ClusterTableRow): ClusterEntity {
  return { id: row.id, name: row.name, labels: row.labels, vars: row.vars, createdAt: row.created_at, updatedAt: row.updated_at };
}
