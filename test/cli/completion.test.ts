/**
 * `pgcluster completion bash|zsh`, generated from the commander definitions: bash completes
 * commands, options, option values (choices, files) and cluster names (from `pgcluster list`,
 * honouring --state-dir) in a real bash; the zsh script passes zsh's syntax check and registers
 * itself with compinit. Needs `npm run build`, bash and zsh (scripts/setup.sh installs zsh).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempStateDir } from '../helpers/cli';
import { writeStoppedCluster } from './support/stopped-cluster';

describe('shell completion', () => {
  const state = tempStateDir('cli-compl');
  const other = tempStateDir('cli-compl2');
  let script = '';

  before(() => {
    writeStoppedCluster(state.dir, { name: 'demo', instances: 1, platform: { local: { basePort: 27500 } } });
    writeStoppedCluster(state.dir, {
      name: 'orders',
      instances: 1,
      platform: { local: { basePort: 27560 } },
    });
    writeStoppedCluster(other.dir, {
      name: 'elsewhere',
      instances: 1,
      platform: { local: { basePort: 27620 } },
    });
    writeFileSync(join(state.dir, 'cluster.yaml'), 'name: demo\n');
    const r = spawnSync(process.execPath, [BIN, 'completion', 'bash'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    script = r.stdout;
  });
  after(() => {
    state.cleanup();
    other.cleanup();
  });

  /** What bash offers for the command line `words` (the last one is being completed). */
  function complete(...words: string[]): string[] {
    const program = [
      script,
      // The completion calls `pgcluster`; here that is the built CLI.
      `pgcluster() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }`,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
      '_pgcluster',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = spawnSync('bash', ['-c', program], {
      cwd: state.dir,
      encoding: 'utf8',
      env: { ...process.env, PGCLUSTER_STATE_DIR: state.dir },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  const CASES: ReadonlyArray<{ words: string[]; offers: string[]; not?: string[] }> = [
    { words: ['pgcluster', 'st'], offers: ['status'], not: ['up'] },
    {
      words: ['pgcluster', ''],
      offers: ['up', 'status', 'list', 'backup', 'completion', '--state-dir', '--version'],
    },
    { words: ['pgcluster', 'status', ''], offers: ['demo', 'orders'] },
    { words: ['pgcluster', 'status', 'o'], offers: ['orders'], not: ['demo'] },
    { words: ['pgcluster', 'status', 'demo', ''], offers: [], not: ['demo', 'orders'] },
    { words: ['pgcluster', 'status', '--'], offers: ['--json', '--help'] },
    { words: ['pgcluster', 'backup', 'demo', '--type', ''], offers: ['full', 'diff', 'incr'] },
    { words: ['pgcluster', 'up', '-f', 'clu'], offers: ['cluster.yaml'] },
    { words: ['pgcluster', 'uri', 'demo', '--'], offers: ['--ro', '--pooler', '--superuser'] },
    { words: ['pgcluster', '--state-dir', other.dir, 'status', ''], offers: ['elsewhere'], not: ['demo'] },
    { words: ['pgcluster', 'completion', ''], offers: ['bash', 'zsh'] },
  ];
  for (const { words, offers, not = [] } of CASES) {
    test(`GIVEN "${words.join(' ')}" WHEN bash completes THEN it offers ${offers.join(', ') || 'nothing'}`, () => {
      const got = complete(...words);
      for (const o of offers) assert.ok(got.includes(o), `${o} not in ${JSON.stringify(got)}`);
      for (const o of not) assert.ok(!got.includes(o), `${o} in ${JSON.stringify(got)}`);
      if (offers.length === 0) assert.deepEqual(got, []);
    });
  }

  test('GIVEN the zsh script WHEN zsh checks and loads it THEN it parses and compinit knows pgcluster', () => {
    const file = join(state.dir, '_pgcluster');
    const r = spawnSync(process.execPath, [BIN, 'completion', 'zsh'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(file, r.stdout);
    const syntax = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    const loaded = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -Uz compinit && compinit -u -D && source ${file} && print -r -- $_comps[pgcluster]`,
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: state.dir } },
    );
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.equal(loaded.stdout.trim(), '_pgcluster');
  });

  test('GIVEN the program WHEN completion is generated THEN every command is in both scripts', () => {
    const zsh = spawnSync(process.execPath, [BIN, 'completion', 'zsh'], { encoding: 'utf8' }).stdout;
    for (const command of [
      'up',
      'status',
      'list',
      'switchover',
      'uri',
      'psql',
      'backup',
      'backups',
      'down',
      'destroy',
    ]) {
      assert.match(script, new RegExp(`^    ${command}\\)$`, 'm'), `bash: ${command}`);
      assert.match(zsh, new RegExp(`^        '${command}:`, 'm'), `zsh: ${command}`);
    }
  });
});
