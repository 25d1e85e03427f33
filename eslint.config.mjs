import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'scratch/', '.readme-example-*', '**/*.js', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Code that runs in Lambda must never pull in the CDK (it is not in the bundle).
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '../lib/*', '../../lib/*', '*/local/*'] },
      ],
    },
  },
  {
    // No import cycle in the Lambda's code: a module that needs what imports it is two concepts in one.
    // (Type-only imports are not counted: they vanish at compile time.)
    files: ['lambda/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
);
