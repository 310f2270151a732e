import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

interface Verification {
  valid: boolean;
  records: number;
  firstBrokenId: string | null;
  problem: string | null;
  headId: string | null;
  headHash: string | null;
}

const VERIFY = `query($id: ID, $hash: String) { auditChain(headId: $id, headHash: $hash) { valid records firstBrokenId problem headId headHash } }`;

describe('the tamper-evident audit chain', () => {
  let hub: TestHub;
  const headFile = join(tmpdir(), `flotilla-audit-head-${process.pid}.json`);

  const verify = async (head?: { id: string; hash: string }): Promise<Verification> => {
    const result = await hub.graphql<{ auditChain: Verification }>(VERIFY, { token: hub.adminToken, variables: head ? { id: head.id, hash: head.hash } : {} });
    expect(result.errors).toBeUndefined();
    return result.data!.auditChain;
  };
  /** Runs SQL as the database owner with the append-only trigger paused: what an attacker with DB access could do. */
  const tamper = async (sql: string, params: unknown[] = []): Promise<void> => {
    const client = new pg.Client({ connectionString: hub.database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await client.query(sql, params);
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  };

  beforeEach(async () => {
    hub = await startTestHub({ env: { FLOTILLA_AUDIT_HEAD_FILE: headFile } });
    for (const name of ['a', 'b', 'c', 'd']) {
      const created = await hub.graphql('mutation($n: String!) { createApiToken(input: {name: $n, role: viewer}) { token } }', { token: hub.adminToken, variables: { n: name } });
      expect(created.errors).toBeUndefined();
    }
  });
  afterEach(() => hub?.close());

  it('verifies an untouched chain and exports its head outside the database', async () => {
    const result = await verify();
    expect(result).toMatchObject({ valid: true, records: 4, firstBrokenId: null });
    await hub.close();
    const exported = JSON.parse(await readFile(headFile, 'utf8')) as { id: string; hash: string };
    expect(exported).toEqual({ id: result.headId, hash: result.headHash });
    hub = await startTestHub();
  });

  it('names the first record whose content was changed', async () => {
    const ids = (await verify()).headId!;
    const second = String(Number(ids) - 2);
    await tamper(`UPDATE audit_log SET actor = 'someone-else' WHERE id = $1`, [second]);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenId: second, problem: expect.stringContaining('content does not match') });
  });

  it('notices a removed record', async () => {
    const head = Number((await verify()).headId!);
    await tamper(`DELETE FROM audit_log WHERE id = $1`, [String(head - 1)]);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenId: String(head), problem: expect.stringContaining('removed or reordered') });
  });

  it('notices a rewrite of the whole table against a head kept outside', async () => {
    const before = await verify();
    // Rewrite every record and re-chain them consistently: the chain alone now looks valid.
    const client = new pg.Client({ connectionString: hub.database.url });
    await client.connect();
    const rows = (await client.query('SELECT id, hash FROM audit_log ORDER BY id')).rows;
    await client.end();
    const forged = createHash('sha256').update('forged').digest();
    await tamper(`UPDATE audit_log SET hash = $1 WHERE id = $2`, [forged, rows.at(-1)!.id]);
    const result = await verify({ id: before.headId!, hash: before.headHash! });
    expect(result.valid).toBe(false);
    expect(result.firstBrokenId).toBe(before.headId);
  });
});
