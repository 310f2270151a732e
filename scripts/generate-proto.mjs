// Regenerates the TypeScript of proto/ into libs/protocol/src/generated (checked in).
// `--check` generates into a temporary directory instead and fails when the checked-in code differs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'libs', 'protocol', 'src', 'generated');
const check = process.argv.includes('--check');
const buf = join(root, 'node_modules', '.bin', 'buf');
const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-ts_proto');
const out = mkdtempSync(join(tmpdir(), 'flotilla-proto-'));
const template = JSON.stringify({
  version: 'v2',
  plugins: [
    {
      local: plugin,
      out,
      opt: ['outputServices=grpc-js', 'esModuleInterop=true', 'env=node', 'oneof=unions-value', 'importSuffix=.js', 'forceLong=bigint', 'useDate=false'],
    },
  ],
});

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

try {
  execFileSync(buf, ['lint'], { cwd: join(root, 'proto'), stdio: 'inherit' });
  execFileSync(buf, ['generate', '--template', template], { cwd: join(root, 'proto'), stdio: 'inherit' });
  for (const file of files(out)) {
    const path = join(out, file);
    // A marker every tool recognises, and a note for people, at the top of each file.
    writeFileSync(path, `// Code generated from proto/ by scripts/generate-proto.mjs. DO NOT EDIT.\n${readFileSync(path, 'utf8')}`);
  }
  if (check) {
    const generated = files(out);
    const current = files(target);
    const stale = generated.filter((file) => !current.includes(file) || readFileSync(join(out, file), 'utf8') !== readFileSync(join(target, file), 'utf8'));
    const extra = current.filter((file) => !generated.includes(file));
    if (stale.length || extra.length) {
      console.error(`the generated protocol code is stale (${[...stale, ...extra].join(', ')}): run "npm run proto:generate" and commit the result`);
      process.exit(1);
    }
    console.error('generated protocol code is current');
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(out, target, { recursive: true });
    console.error(`generated ${files(target).length} files into ${relative(root, target)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
