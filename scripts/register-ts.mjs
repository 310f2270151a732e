// `node --import ./scripts/register-ts.mjs file.ts` runs a TypeScript entry point from source.
import { registerTypeScriptHooks } from './ts-hooks.mjs';

registerTypeScriptHooks();
