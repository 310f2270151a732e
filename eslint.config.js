import js from '@eslint/js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { dependencyDirection } from './tools/eslint/dependency-direction.rule.js';

const root = dirname(fileURLToPath(import.meta.url));

/** Libraries that exist to hold infrastructure (database, HTTP observability, the gRPC protocol) and may import frameworks. */
const infrastructureLibs = ['database', 'observability', 'protocol', 'agent-connection'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.flotilla/**', 'libs/protocol/src/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { flotilla: { rules: { 'dependency-direction': dependencyDirection } } },
    rules: {
      'flotilla/dependency-direction': ['error', { root, infrastructureLibs }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'named exports only' }],
    },
  },
  {
    // Jest and ESLint load these through a default export.
    files: ['jest.config.js', 'eslint.config.js', 'test/support/*.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
