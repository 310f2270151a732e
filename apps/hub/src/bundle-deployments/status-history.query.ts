import type { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, ROW_ID_PATTERN, toPage, type Page } from '../graphql/pagination.js';
import type { StatusTransitionModel } from './dtos/status-transition.model.js';

interface HistoryRow {
  id: string;
  generation: string;
  phase: string | null;
  health: string | null;
  reason: string | null;
  recorded_at: Date;
}

/**
 * One page of a bundle deployment's status transitions, newest first, keyset by id (the order they
 * were written in) over the (bundle, cluster, id) index; retention may have removed the oldest.
 */
export async function selectStatusHistoryPage(db: DataSource, bundleId: string, clusterId: string, first: number, after: string | null | undefined): Promise<Page<StatusTransitionModel>> {
  const params: unknown[] = [bundleId, clusterId];
  let keyset = '';
  if (after) {
    const [id] = decodeCursor(after, ['string']);
    if (!ROW_ID_PATTERN.test(String(id))) throw new InvalidInputException('after', 'is not a cursor of this list');
    params.push(id);
    keyset = ' AND id < $3::bigint';
  }
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT id::text AS id, generation::text AS generation, phase, health, reason, recorded_at FROM bundle_status_history
        WHERE bundle_id = $1 AND cluster_id = $2${keyset} ORDER BY id DESC LIMIT ${first + 1}`,
      params,
    ) as Promise<HistoryRow[]>,
    db.query(`SELECT count(*)::int AS n FROM bundle_status_history WHERE bundle_id = $1 AND cluster_id = $2`, [bundleId, clusterId]) as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [row.id], (row) => ({
    generation: row.generation,
    phase: row.phase,
    health: row.health,
    reason: row.reason || null,
    recordedAt: row.recorded_at,
  }));
}
