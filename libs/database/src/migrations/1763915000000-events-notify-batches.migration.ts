import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events are announced in batches: one NOTIFY per run of events that fits a payload (a JSON array,
 * in id order), not one per event. A status batch of 2,000 deployments can write hundreds of
 * events in one statement, and each pg_notify cost the writer about 7 µs and every listening hub a
 * message of its own. An event too large to carry is announced by id only, as before, and
 * listeners read the row. Listeners take both forms (an array, or one object from before).
 */
export class EventsNotifyBatches1763915000000 implements MigrationInterface {
  name = 'EventsNotifyBatches1763915000000';

  async up(db: QueryRunner): Promise<void> {
    // pg_notify refuses payloads of 8000 bytes or more: a batch stays under 7900 with its brackets.
    await db.query(`
      CREATE OR REPLACE FUNCTION flotilla_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r record;
        one text;
        batch text := '';
      BEGIN
        FOR r IN SELECT id, kind, subject, occurred_at, data FROM inserted ORDER BY id LOOP
          one := json_build_object('id', r.id::text, 'kind', r.kind, 'subject', r.subject, 'occurredAt', r.occurred_at, 'data', r.data)::text;
          IF octet_length(one) > 7890 THEN
            one := json_build_object('id', r.id::text)::text;
          END IF;
          IF batch <> '' AND octet_length(batch) + octet_length(one) + 3 > 7900 THEN
            PERFORM pg_notify('flotilla_events', '[' || batch || ']');
            batch := '';
          END IF;
          batch := CASE WHEN batch = '' THEN one ELSE batch || ',' || one END;
        END LOOP;
        IF batch <> '' THEN
          PERFORM pg_notify('flotilla_events', '[' || batch || ']');
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION flotilla_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
  }
}
