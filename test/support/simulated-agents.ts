/** Which clusters of a simulated fleet misbehave. */
export interface SimulatedAgentFaults {
  /** Clusters that never report their new target (they recover when sent back to what they ran). */
  readonly broken?: Iterable<string>;
  /** Clusters whose agents report nothing at all. */
  readonly silent?: Iterable<string>;
}

/** Runs one SQL statement with parameters (a pg client's or a DataSource's query). */
export type QueryFn = (sql: string, parameters: unknown[]) => Promise<unknown>;

/**
 * One round of agents' reports, straight into the database, for tests of what reacts to them
 * (rollouts, the CLI) without agents: every cluster reports its desired generation Applied and
 * Healthy (Removed for a removal) as a real agent would once it applied it — except the faulty
 * ones. A report never goes back to an older generation.
 */
export async function reportAsAgents(query: QueryFn, faults: SimulatedAgentFaults = {}): Promise<void> {
  await query(
    `INSERT INTO bundle_statuses (bundle_id, cluster_id, generation, stream, seq, phase, health)
     SELECT d.bundle_id, d.cluster_id, d.desired_generation, 1, d.desired_generation,
            CASE WHEN d.removal IS NULL THEN 'APPLIED' ELSE 'REMOVED' END, CASE WHEN d.removal IS NULL THEN 'HEALTHY' ELSE 'UNKNOWN' END
       FROM bundle_deployments d JOIN clusters c ON c.id = d.cluster_id
      WHERE d.desired_generation IS NOT NULL AND NOT c.name = ANY($2::text[])
        AND NOT (c.name = ANY($1::text[]) AND d.desired_hash IS NOT DISTINCT FROM d.target_hash AND d.removal IS NULL)
     ON CONFLICT (bundle_id, cluster_id) DO UPDATE SET generation = EXCLUDED.generation, seq = EXCLUDED.seq, phase = EXCLUDED.phase, health = EXCLUDED.health
     WHERE bundle_statuses.generation IS NULL OR bundle_statuses.generation < EXCLUDED.generation`,
    [[...(faults.broken ?? [])], [...(faults.silent ?? [])]],
  );
}
