import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The connection state of each cluster, in the database: Connected, last seen, versions; Disconnected. */
@Injectable()
export class ConnectionRecorder {
  constructor(private readonly dataSource: DataSource) {}

  async connected(clusterId: string, versions: { agent: string; protocol: number; kubernetes: string }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO cluster_connections (cluster_id, state, connected_at, last_seen_at, agent_version, protocol_version, kubernetes_version, updated_at)
       VALUES ($1, 'Connected', now(), now(), $2, $3, $4, now())
       ON CONFLICT (cluster_id) DO UPDATE SET state = 'Connected', connected_at = now(), last_seen_at = now(),
         agent_version = EXCLUDED.agent_version, protocol_version = EXCLUDED.protocol_version,
         kubernetes_version = EXCLUDED.kubernetes_version, updated_at = now()`,
      [clusterId, versions.agent.slice(0, 100), versions.protocol, versions.kubernetes.slice(0, 100)],
    );
  }

  async disconnected(clusterIds: readonly string[]): Promise<void> {
    if (clusterIds.length === 0) return;
    await this.dataSource.query(
      `UPDATE cluster_connections SET state = 'Disconnected', updated_at = now() WHERE cluster_id = ANY($1::uuid[]) AND state = 'Connected'`,
      [clusterIds],
    );
  }

  /** Last-seen times of live sessions, written together (not one statement per heartbeat). */
  async seen(entries: readonly { clusterId: string; at: Date }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.dataSource.query(
      `UPDATE cluster_connections c SET last_seen_at = u.at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(cluster_id, at)
        WHERE c.cluster_id = u.cluster_id AND c.state = 'Connected'`,
      [entries.map((e) => e.clusterId), entries.map((e) => e.at)],
    );
  }

  /** At start nothing is connected to this hub yet: states left by a hub that died are stale. */
  async resetAll(): Promise<void> {
    await this.dataSource.query(`UPDATE cluster_connections SET state = 'Disconnected', updated_at = now() WHERE state = 'Connected'`);
  }

  async nextStreamNumber(): Promise<bigint> {
    const rows: { n: string }[] = await this.dataSource.query(`SELECT nextval('flotilla_stream_seq')::text AS n`);
    return BigInt(rows[0]!.n);
  }
}
