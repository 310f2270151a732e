import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Lints `code` as if it were the file at `path`, through the project's real ESLint configuration. */
function lint(path: string, code: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', path, '--format', 'stylish'],
      { cwd: root },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(code);
  });
}

describe('the dependency-direction lint rule', () => {
  it.each([
    ['libs/crypto/src/probe.ts', "import { Injectable } from '@nestjs/core';\nexport const x = Injectable;\n", 'libs/crypto is a pure library and must not import "@nestjs/core"'],
    ['libs/crypto/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n", 'must not import "typeorm"'],
    ['libs/crypto/src/probe.ts', "import * as grpc from '@grpc/grpc-js';\nexport const x = grpc;\n", 'must not import "@grpc/grpc-js"'],
    ['libs/crypto/src/probe.ts', "import { x } from '../../../apps/hub/src/main.js';\nexport const y = x;\n", 'libs never import apps'],
    ['apps/agent/src/probe.ts', "import { x } from '../../hub/src/main.js';\nexport const y = x;\n", 'apps never import each other: apps/agent imports apps/hub'],
    ['apps/hub/src/probe.ts', "import { x } from '../../agent/src/main.js';\nexport const y = x;\n", 'apps never import each other: apps/hub imports apps/agent'],
    ['apps/hub/src/probe.ts', "import { x } from '../../../libs/crypto/src/index.js';\nexport const y = x;\n", 'through its barrel "@flotilla/crypto"'],
    ['apps/hub/src/probe.ts', "import { x } from '@flotilla/crypto/src/encryption-keyring.js';\nexport const y = x;\n", '(the barrel), not a file inside it'],
  ])('fails %s importing what it must not', async (path, code, message) => {
    const result = await lint(path, code);
    expect(result.code).toBe(1);
    expect(result.output).toContain(message);
  });

  it.each([
    ['apps/hub/src/probe.ts', "import { Injectable } from '@nestjs/common';\nimport { EncryptionKeyring } from '@flotilla/crypto';\nexport const x = [Injectable, EncryptionKeyring];\n"],
    ['libs/database/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n"],
    ['libs/crypto/src/probe.ts', "import { randomBytes } from 'node:crypto';\nimport { y } from './other.js';\nexport const x = [randomBytes, y];\n"],
  ])('passes %s importing what it may', async (path, code) => {
    const result = await lint(path, code);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
