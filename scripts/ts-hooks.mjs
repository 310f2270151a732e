// Lets plain Node import this repository's TypeScript sources directly (test set-up, benchmarks,
// scripts): `.js` specifiers fall back to the `.ts` file beside them, `@flotilla/<lib>` resolves to
// libs/<lib>/src/index.ts, and `.ts` files are transpiled by swc with the same options as the build.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

let registered = false;

export function registerTypeScriptHooks() {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const alias = /^@flotilla\/([a-z0-9-]+)$/.exec(specifier);
      if (alias) return { url: pathToFileURL(join(root, 'libs', alias[1], 'src', 'index.ts')).href, shortCircuit: true };
      if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
        const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
        if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
      const filename = fileURLToPath(url);
      const loaded = nextLoad(url, { ...context, format: 'module-typescript' });
      const { code } = transformSync(String(loaded.source), { ...swcOptions, filename });
      return { format: 'module', source: code, shortCircuit: true };
    },
  });
}
