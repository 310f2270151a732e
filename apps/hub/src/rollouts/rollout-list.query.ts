import type { RolloutPhase } from '@flotilla/rollout';
import type { DataSource } from 'typeorm';
import { decodeCursor, toPage, type Page } from '../graphql/pagination.js';
import { toRolloutRecord, type RolloutRecord } from './rollout.repository.js';

/** Every phase a rollout can be in: the values the `state` filter accepts. */
export const ROLLOUT_PHASES = ['Progressing', 'WaitingForApproval', 'Paused', 'RollingBack', 'Succeeded', 'RolledBack', 'Failed', 'Aborted', 'Superseded'] as const satisfies readonly RolloutPhase[];

/** The filters of the rollouts list, already validated. */
export interface RolloutListFilter {
  readonly bundle?: string;
  readonly state?: string;
}

/** One page of rollouts, newest first (by id, which grows with time), after the cursor; with the total over the filters. */
export async function selectRolloutPage(db: DataSource, filter: RolloutListFilter, first: number, after: string | null | undefined): Promise<Page<RolloutRecord>> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.bundle !== undefined) {
    params.push(filter.bundle);
    where.push(`r.bundle_id IN (SELECT id FROM bundles WHERE name = $${params.length})`);
  }
  if (filter.state !== undefined) {
    params.push(filter.state);
    where.push(`r.phase = $${params.length}`);
  }
  const conditions = where.length > 0 ? where.join(' AND ') : 'true';
  const pageParams = [...params];
  let keyset = '';
  if (after) {
    const [id] = decodeCursor(after, ['number']);
    pageParams.push(id);
    keyset = ` AND r.id < $${pageParams.length}::bigint`;
  }
  pageParams.push(first + 1);
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT r.id, r.bundle_id, r.revision, r.digest, r.phase, r.state, r.created_at, r.updated_at FROM rollouts r
        WHERE ${conditions}${keyset} ORDER BY r.id DESC LIMIT $${pageParams.length}`,
      pageParams,
    ) as Promise<Record<string, unknown>[]>,
    db.query(`SELECT count(*)::int AS n FROM rollouts r WHERE ${conditions}`, params) as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [Number(row.id)], toRolloutRecord);
}
