import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Pure layers: no database client, no Pulumi, no processes.
    files: ['provider/spec/**/*.ts', 'provider/render/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'pg',
                '@pulumi/*',
                'child_process',
                'node:child_process',
                'node:net',
                'net',
                'node:fs',
                'fs',
              ],
              message: 'spec/ and render/ are pure: no pg, @pulumi/*, processes, network or files.',
            },
          ],
        },
      ],
    },
  },
);
