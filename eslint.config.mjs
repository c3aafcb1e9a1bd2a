import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Closure-free dynamic providers load their implementation by path inside the provider host.
    files: ['provider/pulumi/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Pure layers: no database client, no Pulumi, no processes. In sql/ only observe/apply/run touch pg.
    files: [
      'provider/spec/**/*.ts',
      'provider/render/**/*.ts',
      'provider/schema/**/*.ts',
      'provider/sql/{quote,steps,errors,desired,managed}.ts',
      'provider/sql/{roles,databases,grants}/{model,plan,statements}.ts',
    ],
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
              message:
                'spec/, render/, schema/ and the sql/ planners are pure: no pg, @pulumi/*, processes, network or files.',
            },
          ],
        },
      ],
    },
  },
);
