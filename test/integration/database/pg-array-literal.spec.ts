import pg from 'pg';
import { pgArrayLiteral } from '@flotilla/database';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

/** What PostgreSQL reads back from pgArrayLiteral is exactly what was written, hostile text included. */
describe('pgArrayLiteral on a real PostgreSQL', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('round-trips text whatever it holds', async () => {
    const texts = ['', 'NULL', 'null', ' padded ', 'a,b', '{x}', '"', '\\', '\\"', 'say "hi"', 'line\nbreak\r\n', 'tab\t', 'zürich-€ ✓', 'a}b{c', "it's", '-', '1e5', 'x'.repeat(5_000)];
    const { rows } = await client.query<{ texts: string[] }>('SELECT $1::text[] AS texts', [pgArrayLiteral(texts)]);
    expect(rows[0]!.texts).toEqual(texts);
  });

  it('round-trips NULLs, numbers, booleans, uuids and times', async () => {
    const at = new Date(Date.UTC(2026, 10, 22, 13, 40, 1, 234));
    const { rows } = await client.query('SELECT $1::text[] AS t, $2::bigint[]::text[] AS n, $3::bool[] AS b, $4::uuid[]::text[] AS u, $5::timestamptz[] AS at', [
      pgArrayLiteral([null, 'x', null]),
      pgArrayLiteral(['9223372036854775807', -3, 0n]),
      pgArrayLiteral([true, false, null]),
      pgArrayLiteral(['00000000-0000-4000-8000-000000000001']),
      pgArrayLiteral([at]),
    ]);
    expect(rows[0]).toEqual({ t: [null, 'x', null], n: ['9223372036854775807', '-3', '0'], b: [true, false, null], u: ['00000000-0000-4000-8000-000000000001'], at: [at] });
  });
});
