import type { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, toPage, type Page } from '../graphql/pagination.js';
import type { ApiTokenModel } from './dtos/api-token.model.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UTC_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * One page of API tokens by (created_at, id), oldest first, with the total. The cursor holds created_at to the
 * microsecond as UTC text (a JS Date would drop the microseconds and repeat or skip tokens); never the hash.
 */
export async function selectApiTokenPage(db: DataSource, first: number, after: string | null | undefined): Promise<Page<ApiTokenModel>> {
  const params: unknown[] = [];
  let keyset = 'true';
  if (after) {
    const [createdAt, id] = decodeCursor(after, ['string', 'string']) as [string, string];
    if (!UTC_MICROS.test(createdAt) || !UUID.test(id)) throw new InvalidInputException('after', 'is not a cursor of this list');
    params.push(createdAt, id);
    keyset = '(created_at, id) > ($1::timestamptz, $2::uuid)';
  }
  params.push(first + 1);
  const [rows, total] = await Promise.all([
    db.query(
      `SELECT id, name, role, display_prefix AS "displayPrefix", created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt",
              revoked_at AS "revokedAt", last_used_at AS "lastUsedAt",
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
         FROM api_tokens WHERE ${keyset} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    ) as Promise<(ApiTokenModel & { created_key: string })[]>,
    db.query('SELECT count(*)::int AS n FROM api_tokens') as Promise<{ n: number }[]>,
  ]);
  return toPage(rows, first, after, total[0]!.n, (row) => [row.created_key, row.id], ({ created_key: _key, ...token }) => token);
}
