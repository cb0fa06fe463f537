import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-output/', 'web/dist/', 'clients/typescript/dist/', 'clients/typescript/src/generated/', 'clients/typescript/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only docker/ may talk to the engine; only config.ts reads the environment.
      'no-restricted-imports': ['error', { paths: [{ name: 'dockerode', message: 'Use src/docker/engine.ts' }] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in src/config.ts' }],
    },
  },
  {
    files: ['src/docker/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },
);
