import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const schemaFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schema.graphql');

/** The checked-in schema.graphql is the API's contract: this fails when the code and the file differ. */
describe('schema.graphql', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await startTestHub()));
  afterAll(() => hub?.close());

  it('matches the schema the hub serves (FLOTILLA_UPDATE_SCHEMA=1 rewrites it)', async () => {
    const result = await hub.graphql<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true }), { token: hub.adminToken });
    expect(result.errors).toBeUndefined();
    const served = `${printSchema(buildClientSchema(result.data!))}\n`;
    if (process.env.FLOTILLA_UPDATE_SCHEMA === '1') await writeFile(schemaFile, served);
    const checkedIn = await readFile(schemaFile, 'utf8').catch(() => '');
    if (checkedIn !== served) throw new Error('schema.graphql is out of date: run "npm run schema:export" and commit it');
  });

  it('describes every type and field', async () => {
    const result = await hub.graphql<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true }), { token: hub.adminToken });
    const missing: string[] = [];
    for (const type of result.data!.__schema.types) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!type.description && !root) missing.push(type.name);
      if (type.kind === 'OBJECT') for (const field of type.fields) if (!field.description) missing.push(`${type.name}.${field.name}`);
    }
    expect(missing).toEqual([]);
  });
});
