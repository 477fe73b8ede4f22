// Lint rules from shared/STYLE.md: the type-aware checks that catch real bugs (promises,
// exhaustive switches), type-only imports, no import cycles, and the one-way data flow
// api → services → ports → adapters, enforced as restricted import paths.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const adapters = ['./src/store/repositories', './src/objectstore/fs', './src/objectstore/s3', './src/executors/process'];
const services = ['./src/models', './src/logs', './src/resources', './src/training', './src/images', './src/processing', './src/transform'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      'no-control-regex': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/api', from: adapters, message: 'api uses services and ports, never an adapter (only src/main.ts wires adapters).' },
            { target: services, from: [...adapters, './src/api'], message: 'services use ports, never adapters or the HTTP layer.' },
            { target: adapters, from: ['./src/api', ...services.filter((s) => s !== './src/resources')], message: 'adapters import nothing above them.' },
          ],
        },
      ],
    },
  },
  {
    // Tests and test helpers may construct real adapters.
    files: ['**/*.test.ts', 'test/**/*.ts', 'src/**/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
);
