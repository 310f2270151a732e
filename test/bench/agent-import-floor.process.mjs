// One figure of bench:agent's part 3: a process that only loads modules. Argv: the modules (bare
// specifiers, or paths from the repository root). It imports them, lets V8 settle, collects garbage
// (started with --expose-gc) and prints {"rssMib":…} — what those modules alone keep resident, before
// the agent does any work. Plain JavaScript, so no TypeScript loader is measured with them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { residentMemory } from './process-memory.mjs';

const root = join(import.meta.dirname, '..', '..');
for (const module of process.argv.slice(2)) await import(module.startsWith('.') || module.startsWith('/') ? pathToFileURL(join(root, module)).href : module);
for (let i = 0; i < 3; i++) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc();
}
process.stdout.write(`${JSON.stringify(await residentMemory())}\n`);
