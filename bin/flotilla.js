#!/usr/bin/env node
// The `flotilla` command. Runs the compiled CLI (built by `npm install` through the prepare script).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `flotilla needs Node.js 24 (this is ${process.version}); "npx flotilla" and npm scripts use the Node 24 installed in node_modules\n`,
  );
  process.exit(2);
}
try {
  await import('../dist/apps/cli/src/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/apps/cli')) {
    process.stderr.write('flotilla: the CLI is not built yet: run "npm run build"\n');
    process.exit(1);
  }
  throw error;
}
