// Compiles apps/ and libs/ to dist/ with swc (one file at a time, ES modules), rewriting the
// `@flotilla/<lib>` aliases of tsconfig.json to relative paths so the output runs on plain Node.
// Type checking is `npm run typecheck`; this step only transpiles, so it stays fast (~1 s).
import { readdir, readFile, mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceRoots = ['apps', 'libs'];

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

function rewriteAliases(code, fileOut) {
  return code.replace(/(["'])@flotilla\/([a-z0-9-]+)\1/g, (_match, quote, lib) => {
    let target = relative(dirname(fileOut), join(outDir, 'libs', lib, 'src', 'index.js')).split(sep).join('/');
    if (!target.startsWith('.')) target = `./${target}`;
    return `${quote}${target}${quote}`;
  });
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

const started = Date.now();
await rm(outDir, { recursive: true, force: true });
let count = 0;
for (const top of sourceRoots) {
  for await (const file of walk(join(root, top))) {
    const rel = relative(root, file);
    const fileOut = join(outDir, rel.replace(/\.ts$/, '.js'));
    const { code } = await transform(await readFile(file, 'utf8'), { ...swcOptions, filename: file });
    await mkdir(dirname(fileOut), { recursive: true });
    await writeFile(fileOut, rewriteAliases(code, fileOut));
    count += 1;
  }
}
await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
if (!process.argv.includes('--quiet')) {
  console.error(`built ${count} files into dist/ in ${Date.now() - started} ms`);
}
