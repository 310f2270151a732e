import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventKind, EventRecord } from './event.types.js';

/** Filters of the events query, already validated. */
export interface EventFilter {
  readonly kind?: EventKind;
  /** A subject and everything below it: `bundle/web` matches `bundle/web/cluster/prod-1`. */
  readonly subject?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** Kinds the caller may not see. */
  readonly hiddenKinds?: readonly string[];
}

/** A position in the newest-first order: the event's time (text, microseconds) and id. */
export interface EventPosition {
  readonly occurredAt: string;
  readonly id: string;
}

const COLUMNS = `id::text AS id, kind, subject, occurred_at, data,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_time`;

/** A stored event and its exact sort position (JavaScript dates keep only milliseconds). */
export interface EventRow extends EventRecord {
  readonly positionTime: string;
}

function toRow(row: Record<string, unknown>): EventRow {
  return {
    id: row.id as string,
    kind: row.kind as EventKind,
    subject: row.subject as string,
    occurredAt: row.occurred_at as Date,
    data: row.data as Record<string, unknown>,
    positionTime: row.position_time as string,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The events table: pages of the timeline, catch-up reads for the listener, and retention. */
@Injectable()
export class EventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Up to `limit` events matching the filter, newest first, strictly after `after` in that order; and the total. */
  async page(filter: EventFilter, limit: number, after: EventPosition | undefined): Promise<{ rows: EventRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.kind) add((n) => `kind = ${n}`, filter.kind);
    if (filter.subject) {
      params.push(filter.subject, `${escapeLike(filter.subject)}/%`);
      where.push(`(subject = $${params.length - 1} OR subject LIKE $${params.length})`);
    }
    if (filter.hiddenKinds && filter.hiddenKinds.length > 0) add((n) => `kind <> ALL(${n}::text[])`, filter.hiddenKinds);
    if (filter.since) add((n) => `occurred_at >= ${n}`, filter.since);
    if (filter.until) add((n) => `occurred_at < ${n}`, filter.until);
    const filtered = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const countRows: { n: string }[] = await this.dataSource.query(`SELECT count(*)::text AS n FROM events ${filtered}`, params);
    const pageWhere = [...where];
    const pageParams = [...params];
    if (after) {
      pageParams.push(after.occurredAt, after.id);
      pageWhere.push(`(occurred_at, id) < ($${pageParams.length - 1}::timestamptz, $${pageParams.length}::bigint)`);
    }
    pageParams.push(limit);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM events ${pageWhere.length > 0 ? `WHERE ${pageWhere.join(' AND ')}` : ''}
        ORDER BY events.occurred_at DESC, events.id DESC LIMIT $${pageParams.length}`,
      pageParams,
    );
    return { rows: rows.map(toRow), total: Number(countRows[0]!.n) };
  }

  /** Events after `afterId`, plus the listed ids (gaps that may have committed late), in id order. */
  async since(afterId: bigint, alsoIds: readonly bigint[], limit: number): Promise<EventRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM events WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY events.id LIMIT $3`,
      [afterId.toString(), alsoIds.map(String), limit],
    );
    return rows.map(toRow);
  }

  async byId(id: bigint): Promise<EventRecord | undefined> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id.toString()]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async newestId(): Promise<bigint> {
    const rows: { id: string | null }[] = await this.dataSource.query(`SELECT max(id)::text AS id FROM events`);
    return BigInt(rows[0]?.id ?? '0');
  }

  /**
   * Deletes events older than the cutoff, in batches so no transaction holds many locks; the setting
   * is what the append-only trigger lets through, and it ends with each transaction.
   */
  async deleteOlderThan(cutoff: Date, batch = 10_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL flotilla.events_retention = 'on'`);
        const [, affected] = (await manager.query(
          `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)`,
          [cutoff, batch],
        )) as [unknown, number];
        return affected;
      });
      deleted += count;
      if (count < batch) return deleted;
    }
  }
}
