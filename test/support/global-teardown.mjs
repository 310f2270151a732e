import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const state = globalThis.__flotillaTestPostgres;
  if (!state) return;
  await state.server.stop();
  await rm(state.dataDir, { recursive: true, force: true });
}
