import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event timeline: an append-only `events` table written by triggers on the tables that hold
 * state (cluster connections, latest bundle statuses, rollouts, revisions, the audit log), so every
 * writer is covered in its own transaction and no feature has to remember to record anything.
 * Each inserted event is announced with NOTIFY on `flotilla_events` (a small payload; the row is
 * the truth), and token revocations on `flotilla_token_revoked`, for live subscriptions on every
 * hub replica. Outgoing webhooks take their deliveries from the same trigger-fed timeline.
 */
export class Events1763870000000 implements MigrationInterface {
  name = 'Events1763870000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        kind text NOT NULL CHECK (kind ~ '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$' AND length(kind) <= 64),
        subject text COLLATE "C" NOT NULL CHECK (length(subject) BETWEEN 1 AND 512),
        data jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object')
      )`);
    // Newest-first pages per kind and per subject (the C collation lets a subject prefix use the index).
    await db.query(`CREATE INDEX events_kind_time_idx ON events (kind, occurred_at DESC, id DESC)`);
    await db.query(`CREATE INDEX events_subject_time_idx ON events (subject, occurred_at DESC, id DESC)`);
    await db.query(`CREATE INDEX events_time_idx ON events (occurred_at DESC, id DESC)`);

    // Append-only: only the retention job (which sets flotilla.events_retention for its transaction) deletes.
    // This guards against mistakes in application code, not against someone holding the database owner's role.
    await db.query(`
      CREATE FUNCTION flotilla_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('flotilla.events_retention', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'events is append-only: % refused (only retention deletes)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION flotilla_events_append_only()`);
    await db.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION flotilla_events_append_only()`);

    // One NOTIFY per event, in id order, at commit. pg_notify refuses payloads of 8000 bytes or more:
    // an event too large to carry is announced by id only, and listeners read the row.
    await db.query(`
      CREATE FUNCTION flotilla_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r record;
        payload text;
      BEGIN
        FOR r IN SELECT id, kind, subject, occurred_at, data FROM inserted ORDER BY id LOOP
          payload := json_build_object('id', r.id::text, 'kind', r.kind, 'subject', r.subject, 'occurredAt', r.occurred_at, 'data', r.data)::text;
          IF octet_length(payload) > 7900 THEN
            payload := json_build_object('id', r.id::text)::text;
          END IF;
          PERFORM pg_notify('flotilla_events', payload);
        END LOOP;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION flotilla_events_notify()`);

    // Cluster connections: a change of state, or a new stream (connected_at moves), not heartbeats.
    await db.query(`
      CREATE FUNCTION flotilla_event_cluster_connection() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cluster_name text;
      BEGIN
        -- The foreign key guarantees the cluster; coalesce anyway, because a trigger must never fail its writer.
        SELECT name INTO cluster_name FROM clusters WHERE id = NEW.cluster_id;
        INSERT INTO events (kind, subject, data) VALUES (
          CASE NEW.state WHEN 'Connected' THEN 'cluster.connected' ELSE 'cluster.disconnected' END,
          'cluster/' || coalesce(cluster_name, NEW.cluster_id::text),
          jsonb_build_object('clusterId', NEW.cluster_id, 'cluster', cluster_name, 'state', NEW.state,
            'previousState', CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END, 'agentVersion', NEW.agent_version));
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER cluster_connections_insert_event AFTER INSERT ON cluster_connections FOR EACH ROW EXECUTE FUNCTION flotilla_event_cluster_connection()`);
    await db.query(`
      CREATE TRIGGER cluster_connections_update_event AFTER UPDATE ON cluster_connections FOR EACH ROW
      WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.connected_at IS DISTINCT FROM NEW.connected_at)
      EXECUTE FUNCTION flotilla_event_cluster_connection()`);

    // Bundle statuses arrive in batches of thousands: statement-level triggers with transition tables write
    // the events of a whole batch in one INSERT … SELECT. A status changes the deployment when its generation,
    // phase or health moves; drift is detected when the drifted fields (or a fight) appear or change, and
    // cleared when none remain. Acks alone (no generation yet) are not events. The two triggers differ only
    // in where the previous values come from (none for a new row).
    const statusEvents = (source: string, previous: (column: string) => string, known: string) => `
        INSERT INTO events (kind, subject, data)
        SELECT e.kind, 'bundle/' || b.name || '/cluster/' || k.name,
               jsonb_build_object('bundleId', n.bundle_id::text, 'bundle', b.name, 'clusterId', n.cluster_id, 'cluster', k.name,
                 'generation', n.generation::text, 'phase', n.phase, 'health', n.health, 'terminal', n.terminal, 'reason', left(n.reason, 500),
                 'driftedFields', n.drifted_fields, 'fighting', n.fighting,
                 'previousGeneration', (${previous('generation')})::text, 'previousPhase', ${previous('phase')}, 'previousHealth', ${previous('health')},
                 'previousDriftedFields', ${previous('drifted_fields')})
          FROM ${source}
          JOIN bundles b ON b.id = n.bundle_id JOIN clusters k ON k.id = n.cluster_id
          CROSS JOIN LATERAL (
            SELECT 'bundle-deployment.changed' AS kind
             WHERE NOT ${known} OR (n.generation, n.phase, n.health) IS DISTINCT FROM (${previous('generation')}, ${previous('phase')}, ${previous('health')})
            UNION ALL
            SELECT 'drift.detected'
             WHERE (n.drifted_fields > 0 OR n.fighting)
               AND (NOT ${known} OR n.drifted_fields IS DISTINCT FROM ${previous('drifted_fields')} OR (n.fighting AND NOT coalesce(${previous('fighting')}, false)))
            UNION ALL
            SELECT 'drift.cleared'
             WHERE ${known} AND (${previous('drifted_fields')} > 0 OR ${previous('fighting')}) AND n.drifted_fields = 0 AND NOT n.fighting
          ) e
         WHERE n.generation IS NOT NULL
         ORDER BY n.bundle_id, n.cluster_id, e.kind`;
    await db.query(`
      CREATE FUNCTION flotilla_event_bundle_status_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${statusEvents('new_rows n', () => 'NULL', 'false')};
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION flotilla_event_bundle_status_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${statusEvents(
          `new_rows n JOIN old_rows o ON o.bundle_id = n.bundle_id AND o.cluster_id = n.cluster_id
             AND (n.generation, n.phase, n.health, n.drifted_fields, n.fighting) IS DISTINCT FROM (o.generation, o.phase, o.health, o.drifted_fields, o.fighting)`,
          (column) => `o.${column}`,
          '(o.generation IS NOT NULL)',
        )};
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER bundle_statuses_insert_events AFTER INSERT ON bundle_statuses REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flotilla_event_bundle_status_insert()`);
    await db.query(`CREATE TRIGGER bundle_statuses_update_events AFTER UPDATE ON bundle_statuses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flotilla_event_bundle_status_update()`);

    // Rollouts: started, each phase change, and each wave reached (with its name from the bundle's spec).
    await db.query(`
      CREATE FUNCTION flotilla_event_rollout() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        bundle_name text;
        wave_index integer := (NEW.state->>'wave')::integer;
        wave_name text;
        body jsonb;
      BEGIN
        SELECT name, good_spec->'rollout'->'waves'->wave_index->>'name' INTO bundle_name, wave_name FROM bundles WHERE id = NEW.bundle_id;
        bundle_name := coalesce(bundle_name, NEW.bundle_id::text);
        body := jsonb_build_object('rolloutId', NEW.id::text, 'bundleId', NEW.bundle_id::text, 'bundle', bundle_name, 'revision', NEW.revision,
          'phase', NEW.phase, 'previousPhase', CASE WHEN TG_OP = 'UPDATE' THEN OLD.phase END, 'wave', wave_index, 'waveName', wave_name,
          'reason', left(NEW.state->>'reason', 500));
        IF TG_OP = 'INSERT' THEN
          INSERT INTO events (kind, subject, data) VALUES ('rollout.started', 'bundle/' || bundle_name || '/rollout/' || NEW.id, body);
        ELSE
          IF OLD.phase IS DISTINCT FROM NEW.phase THEN
            INSERT INTO events (kind, subject, data) VALUES ('rollout.phase-changed', 'bundle/' || bundle_name || '/rollout/' || NEW.id, body);
          END IF;
          IF OLD.state->'wave' IS DISTINCT FROM NEW.state->'wave' THEN
            INSERT INTO events (kind, subject, data) VALUES ('rollout.wave-started', 'bundle/' || bundle_name || '/rollout/' || NEW.id, body);
          END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER rollouts_insert_event AFTER INSERT ON rollouts FOR EACH ROW EXECUTE FUNCTION flotilla_event_rollout()`);
    await db.query(`
      CREATE TRIGGER rollouts_update_event AFTER UPDATE ON rollouts FOR EACH ROW
      WHEN (OLD.phase IS DISTINCT FROM NEW.phase OR OLD.state->'wave' IS DISTINCT FROM NEW.state->'wave')
      EXECUTE FUNCTION flotilla_event_rollout()`);

    // Revisions: a commit the hub fetched for the first time.
    await db.query(`
      CREATE FUNCTION flotilla_event_revision() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        source_name text;
      BEGIN
        source_name := coalesce((SELECT name FROM sources WHERE id = NEW.source_id), NEW.source_id::text);
        INSERT INTO events (kind, subject, data) VALUES ('revision.added', 'source/' || source_name,
          jsonb_build_object('revisionId', NEW.id::text, 'sourceId', NEW.source_id, 'source', source_name, 'sha', NEW.sha,
            'author', left(NEW.author_name, 200), 'message', left(split_part(NEW.message, E'\\n', 1), 200), 'committedAt', NEW.committed_at));
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER revisions_insert_event AFTER INSERT ON revisions FOR EACH ROW EXECUTE FUNCTION flotilla_event_revision()`);

    // API actions: every audit record joins the timeline (its arguments stay in the audit log, which is already redacted).
    await db.query(`
      CREATE FUNCTION flotilla_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO events (kind, subject, data) VALUES ('api.action', 'api/' || left(NEW.action, 200),
          jsonb_build_object('auditId', NEW.id::text, 'actor', left(NEW.actor, 200), 'actorTokenId', NEW.actor_token_id, 'actorRole', NEW.actor_role,
            'action', left(NEW.action, 200), 'outcome', NEW.outcome, 'error', left(NEW.error, 500)));
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER audit_log_insert_event AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION flotilla_event_audit()`);

    // Token revocation (or deletion) closes live subscriptions on every replica.
    await db.query(`
      CREATE FUNCTION flotilla_notify_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('flotilla_token_revoked', OLD.id::text);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER api_tokens_revoked_notify AFTER UPDATE ON api_tokens FOR EACH ROW
      WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION flotilla_notify_token_revoked()`);
    await db.query(`CREATE TRIGGER api_tokens_deleted_notify AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION flotilla_notify_token_revoked()`);

    // Outgoing webhooks, and their deliveries as an outbox: the events trigger queues a delivery in the
    // transaction that records the event, so a hub crash between the two can never lose one.
    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL CHECK (length(url) <= 2048),
        format text NOT NULL CHECK (format IN ('json', 'slack')),
        kinds text[] NOT NULL CHECK (cardinality(kinds) BETWEEN 1 AND 32),
        secret bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id bigint NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, event_id)
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending'`);
    await db.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC)`);
    await db.query(`
      CREATE FUNCTION flotilla_events_to_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_deliveries (webhook_id, event_id, kind, payload)
        SELECT w.id, e.id, e.kind, jsonb_build_object('id', e.id::text, 'kind', e.kind, 'subject', e.subject, 'occurredAt', e.occurred_at, 'data', e.data)
          FROM inserted e JOIN webhooks w ON e.kind = ANY (w.kinds)
         ORDER BY e.id, w.id;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER events_to_webhooks AFTER INSERT ON events REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION flotilla_events_to_webhooks()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER events_to_webhooks ON events`);
    await db.query(`DROP FUNCTION flotilla_events_to_webhooks()`);
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhooks`);
    await db.query(`DROP TRIGGER api_tokens_deleted_notify ON api_tokens`);
    await db.query(`DROP TRIGGER api_tokens_revoked_notify ON api_tokens`);
    await db.query(`DROP FUNCTION flotilla_notify_token_revoked()`);
    await db.query(`DROP TRIGGER audit_log_insert_event ON audit_log`);
    await db.query(`DROP FUNCTION flotilla_event_audit()`);
    await db.query(`DROP TRIGGER revisions_insert_event ON revisions`);
    await db.query(`DROP FUNCTION flotilla_event_revision()`);
    await db.query(`DROP TRIGGER rollouts_update_event ON rollouts`);
    await db.query(`DROP TRIGGER rollouts_insert_event ON rollouts`);
    await db.query(`DROP FUNCTION flotilla_event_rollout()`);
    await db.query(`DROP TRIGGER bundle_statuses_update_events ON bundle_statuses`);
    await db.query(`DROP TRIGGER bundle_statuses_insert_events ON bundle_statuses`);
    await db.query(`DROP FUNCTION flotilla_event_bundle_status_update()`);
    await db.query(`DROP FUNCTION flotilla_event_bundle_status_insert()`);
    await db.query(`DROP TRIGGER cluster_connections_update_event ON cluster_connections`);
    await db.query(`DROP TRIGGER cluster_connections_insert_event ON cluster_connections`);
    await db.query(`DROP FUNCTION flotilla_event_cluster_connection()`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP FUNCTION flotilla_events_notify()`);
    await db.query(`DROP FUNCTION flotilla_events_append_only()`);
  }
}
