import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The transitions of BundleDeployments that the status ingester appends (bundle_status_history). */
@Injectable()
export class StatusHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes the transitions recorded before `cutoff`, `batch` rows per transaction, so no long lock
   * or huge transaction stands in the ingester's way; returns how many went. The table has no index
   * on its time (it would cost every one of the thousands of rows a status storm appends per
   * second), so rows are found by id, their primary key in insertion order: below the first row
   * recorded a minute or more after the cutoff. The minute covers rows written out of order — a
   * statement's rows carry its start time, and it may commit after a later one.
   */
  async deleteOlderThan(cutoff: Date, batch = 10_000): Promise<number> {
    const [bound] = (await this.dataSource.query(
      `SELECT id::text AS id FROM bundle_status_history WHERE recorded_at >= $1::timestamptz + interval '1 minute' ORDER BY id LIMIT 1`,
      [cutoff],
    )) as { id: string }[];
    let deleted = 0;
    for (;;) {
      const [, count] = (await this.dataSource.query(
        `DELETE FROM bundle_status_history WHERE id IN (
           SELECT id FROM bundle_status_history WHERE ($1::bigint IS NULL OR id < $1) AND recorded_at < $2 ORDER BY id LIMIT $3)`,
        [bound?.id ?? null, cutoff, batch],
      )) as [unknown, number];
      deleted += count;
      if (count < batch) return deleted;
    }
  }
}
