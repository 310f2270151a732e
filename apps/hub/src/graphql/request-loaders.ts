import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';

/** A cluster's connection row, as stored. */
export interface ConnectionRow {
  readonly cluster_id: string;
  readonly state: string;
  readonly connected_at: Date | null;
  readonly last_seen_at: Date | null;
  readonly agent_version: string | null;
  readonly protocol_version: number | null;
  readonly kubernetes_version: string | null;
}

/**
 * Batch loaders for one GraphQL request: a list of 500 clusters asking for their connections
 * costs one query, not 500. New per request, so nothing is cached across requests.
 */
export class RequestLoaders {
  readonly connections: DataLoader<string, ConnectionRow | undefined>;

  constructor(dataSource: DataSource) {
    this.connections = new DataLoader(async (ids) => {
      const rows: ConnectionRow[] = await dataSource.query(
        'SELECT cluster_id, state, connected_at, last_seen_at, agent_version, protocol_version, kubernetes_version FROM cluster_connections WHERE cluster_id = ANY($1::uuid[])',
        [ids],
      );
      const byId = new Map(rows.map((row) => [row.cluster_id, row]));
      return ids.map((id) => byId.get(id));
    });
  }
}
