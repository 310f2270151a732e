import { dataSourceOptions, migrateUp } from '@flotilla/database';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventBus } from '../../../apps/hub/src/events/event-bus.js';
import { EventListener } from '../../../apps/hub/src/events/event-listener.service.js';
import { EventRepository } from '../../../apps/hub/src/events/event.repository.js';
import { EVENTS_CHANNEL, type EventRecord } from '../../../apps/hub/src/events/event.types.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { until } from '../../support/until.js';

/** The largest payload pg_notify takes is 7,999 bytes. */
const MAX_PAYLOAD_BYTES = 7_999;
const EVENTS = 300;
/** The position, in the statement's events, of one too large for any payload. */
const HUGE_AT = 150;

/**
 * How events are announced, against real PostgreSQL (real migrations): one statement writing
 * hundreds of events sends a few NOTIFYs of many events each, in id order, every payload within
 * PostgreSQL's limit; and the hub's listener publishes every one of them.
 */
describe('event notifications', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  /** Writes EVENTS events in one statement, the HUGE_AT-th with data too large to announce; returns their ids in order. */
  const insertEvents = async (): Promise<string[]> => {
    const rows: { id: string }[] = await dataSource.query(
      `INSERT INTO events (kind, subject, data)
       SELECT 'cluster.connected', 'cluster/c-' || n, jsonb_build_object('n', n, 'padding', repeat('x', CASE WHEN n = $2 THEN 9000 ELSE 100 END))
         FROM generate_series(0, $1 - 1) AS n ORDER BY n
       RETURNING id::text AS id`,
      [EVENTS, HUGE_AT],
    );
    return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    await migrateUp(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('announces a statement’s events in a few payloads, in id order, each within the limit; one too large by id only', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const payloads: string[] = [];
    client.on('notification', (message) => payloads.push(message.payload ?? ''));
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    try {
      const ids = await insertEvents();
      const announced = (): { id: string; kind?: string; data?: { n: number } }[] => payloads.flatMap((payload) => JSON.parse(payload) as { id: string }[]);
      await until(async () => announced().length >= EVENTS, 'every event announced', 10_000);

      expect(announced().map((event) => event.id)).toEqual(ids);
      for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      // About 200 bytes each: some 35 to a payload.
      expect(payloads.length).toBeLessThan(EVENTS / 10);
      expect(announced()[HUGE_AT]).toEqual({ id: ids[HUGE_AT] });
      expect(announced()[HUGE_AT + 1]).toMatchObject({ kind: 'cluster.connected', data: { n: HUGE_AT + 1 } });
    } finally {
      await client.end();
    }
  });

  it('is published whole by the hub’s listener: every event of the statement, the one read by id included, once', async () => {
    const bus = new EventBus();
    const published: EventRecord[] = [];
    bus.onPublish((event) => published.push(event));
    const listener = new EventListener(dataSource, new EventRepository(dataSource), bus);
    await listener.onApplicationBootstrap();
    try {
      const ids = await insertEvents();
      await until(async () => published.length >= EVENTS, 'every event published', 10_000);
      expect(published.map((event) => event.id)).toEqual(ids);
      expect(published[HUGE_AT]!.data).toMatchObject({ n: HUGE_AT });
    } finally {
      await listener.onApplicationShutdown();
    }
  });
});
