import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IMPURE = ['pg', '@pulumi/*', 'child_process', 'node:child_process', 'node:net', 'net', 'node:fs', 'fs'];
/** Directories of provider/ from the top layer down (DESIGN.md: imports point down only). */
const LAYERS = [['cli', 'pulumi', 'cmd'], ['actions'], ['platform', 'sql'], ['patroni', 'report']];
/** Pure files: no database client, no Pulumi, no processes, files or network. */
const PURE = [
  'provider/spec/**/*.ts',
  'provider/render/**/*.ts',
  'provider/plan/**/*.ts',
  'provider/schema/**/*.ts',
  'provider/patroni/roles.ts',
  'provider/backup/{diagnose,info}.ts',
  'provider/sql/{quote,steps,errors,desired,managed}.ts',
  'provider/sql/{roles,databases,grants}/{model,plan,statements}.ts',
];
const PURE_MESSAGE =
  'spec/, render/, plan/, schema/ and the sql/ planners are pure: no pg, @pulumi/*, processes, network or files.';

/** A layer may import only the layers below it; pure files also nothing impure. */
function layers() {
  const above = (i) => LAYERS.slice(0, i).flat();
  const upward = (dirs) =>
    dirs.length === 0
      ? []
      : [
          {
            group: dirs.map((d) => `**/${d}/*`),
            message: `imports point down only: ${dirs.join('/, ')}/ are above this layer (DESIGN.md)`,
          },
        ];
  const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
  const lower = ['provider/{render,plan,spec,schema,secrets,util}/**/*.ts', 'provider/{naming,errors}.ts'];
  return [
    ...LAYERS.map((dirs, i) => ({
      files: dirs.map((d) => `provider/${d}/**/*.ts`),
      ignores: PURE,
      rules: rule(upward(above(i))),
    })),
    { files: lower, ignores: PURE, rules: rule(upward([...LAYERS.flat()])) },
    {
      files: PURE,
      rules: rule([
        { group: IMPURE, message: PURE_MESSAGE },
        // patroni/roles.ts is pure vocabulary the pure layers may use; the REST client is not.
        ...upward(LAYERS.flat().filter((d) => d !== 'patroni')),
        { group: ['**/patroni/api'], message: 'the Patroni REST client is not pure' },
      ]),
    },
  ];
}

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
  ...layers(),
);
