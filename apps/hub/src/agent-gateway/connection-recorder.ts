import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How long a disconnect waits for others of the same moment before they are written together. */
const DISCONNECT_GATHER_MS = 20;
const DISCONNECT_RETRY_MS = 1_000;

/** The connection state of each cluster, in the database: Connected, last seen, versions; Disconnected. */
@Injectable()
export class ConnectionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionRecorder.name);
  private readonly pendingDisconnects = new Set<string>();
  private disconnectTimer: NodeJS.Timeout | undefined;
  /** The disconnect writes in flight, one after another; a connect waits for them (see connected). */
  private disconnectWrites: Promise<void> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /** Disconnects recorded but not yet written (tests read it). */
  get disconnectsWaiting(): number {
    return this.pendingDisconnects.size;
  }

  async connected(clusterId: string, versions: { agent: string; protocol: number; kubernetes: string }): Promise<void> {
    this.pendingDisconnects.delete(clusterId); // back before its disconnect was written: there is nothing to write
    // A disconnect of this cluster already being written lands first: its stream ended before this one began,
    // and a Disconnected written after this Connected would stand while the agent is connected.
    await this.disconnectWrites;
    this.pendingDisconnects.delete(clusterId); // a failed write of it, queued again, is moot too
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

  /**
   * Records a stream's end soon, in one statement with every other of the moment: ten thousand
   * agents dropping at once (a network partition, a load balancer restart) would otherwise ask the
   * pool for ten thousand connections, and those that timed out waiting stayed Connected. A failed
   * write is retried until it succeeds or the cluster is back.
   */
  disconnectedSoon(clusterId: string): void {
    this.pendingDisconnects.add(clusterId);
    this.disconnectTimer ??= setTimeout(() => void this.flushDisconnects(), DISCONNECT_GATHER_MS);
  }

  /** Writes the disconnects waiting now, after those in flight; resolves once written (or failed and queued again). */
  flushDisconnects(): Promise<void> {
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = undefined;
    const clusterIds = [...this.pendingDisconnects];
    this.pendingDisconnects.clear();
    this.disconnectWrites = this.disconnectWrites
      .then(() => this.disconnected(clusterIds))
      .catch((error: Error) => {
        this.logger.error(`recording ${clusterIds.length} disconnect(s) failed (retrying in ${DISCONNECT_RETRY_MS} ms): ${error.message}`);
        for (const clusterId of clusterIds) this.pendingDisconnects.add(clusterId);
        this.disconnectTimer ??= setTimeout(() => void this.flushDisconnects(), DISCONNECT_RETRY_MS);
      });
    return this.disconnectWrites;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pendingDisconnects.size > 0) await this.flushDisconnects();
    clearTimeout(this.disconnectTimer);
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
