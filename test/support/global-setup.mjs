import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTypeScriptHooks } from '../../scripts/ts-hooks.mjs';

/**
 * One PostgreSQL server for the whole run: FLOTILLA_TEST_DATABASE_URL when set (CI points it at
 * the machine's server), otherwise an embedded one in a temporary directory. Each test file then
 * creates its own database on it (see test-database.ts), so files and runs never share state.
 */
export default async function globalSetup() {
  if (process.env.FLOTILLA_TEST_DATABASE_URL) {
    process.env.FLOTILLA_TEST_ADMIN_URL = process.env.FLOTILLA_TEST_DATABASE_URL;
    return;
  }
  registerTypeScriptHooks();
  const { EmbeddedPostgresServer } = await import('../../libs/database/src/embedded-postgres.server.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'flotilla-test-pg-'));
  await chmod(dataDir, 0o755);
  const server = await EmbeddedPostgresServer.start({ dataDir });
  process.env.FLOTILLA_TEST_ADMIN_URL = server.url;
  globalThis.__flotillaTestPostgres = { server, dataDir };
}
