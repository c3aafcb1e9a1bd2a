/**
 * The day-2 CLI commands that are not covered elsewhere, on a real one-member local cluster:
 * pgbench through the pooler, logs (one member, tail), report (an archive with the spec, status,
 * Patroni configuration, logs and pg_settings, and no password in it), reload and restart of one
 * member, each ending with its one sentence. Ports 29900-29960.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { readSecrets } from '../../provider/platform/local/state';

const NAME = 'd2cli';

describe('local cluster: day-2 CLI commands', () => {
  const state = tempStateDir('day2-cli');
  const out = mkdtempSync(join(tmpdir(), 'pgc-day2-cli-'));

  before(async () => {
    await cliOk(state.dir, [
      'up',
      '-f',
      writeSpec(state.dir, { name: NAME, instances: 1, platform: { local: { basePort: 29900 } } }),
    ]);
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  test('GIVEN a cluster WHEN pgcluster pgbench runs through the pooler THEN pgbench initialises and runs there', async () => {
    const init = await cli(state.dir, ['pgbench', NAME, '--', '-i', '-s', '1', '-q']);
    assert.equal(init.code, 0, init.stderr);
    const run = await cli(state.dir, ['pgbench', NAME, '--', '-T', '2', '-c', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /number of failed transactions: 0/);
  });

  test('GIVEN a member WHEN pgcluster logs NAME MEMBER --tail 5 THEN its Patroni log lines are printed under a header', async () => {
    const logs = await cliOk(state.dir, ['logs', NAME, `${NAME}-1`, '--tail', '5']);
    assert.match(logs.stdout, new RegExp(`==> ${NAME}-1 patroni \\(.*patroni\\.log\\) <==`));
    const unknown = await cli(state.dir, ['logs', NAME, `${NAME}-9`]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /not a member of d2cli; members are d2cli-1/);
  });

  test('GIVEN a cluster WHEN pgcluster report runs THEN the archive holds spec, status, configuration, logs and pg_settings, and no password', async () => {
    const file = join(out, 'report.tar.gz');
    const report = await cliOk(state.dir, ['report', NAME, '-o', file]);
    assert.match(report.stderr, /wrote the report of d2cli to .* in [\d.]+ s/);
    const list = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' });
    for (const entry of [
      'spec.json',
      'status.json',
      'patroni-dynamic-config.json',
      'pg_settings.tsv',
      `members/${NAME}-1/patroni.yml`,
    ])
      assert.match(list, new RegExp(`report-${NAME}/${entry.replace('.', '\\.')}`), entry);
    const content = execFileSync('tar', ['-xzOf', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const secrets = readSecrets(join(state.dir, NAME, 'secrets.json'))!;
    for (const secret of [secrets.superuserPassword!, secrets.replicationPassword, secrets.appPassword])
      assert.equal(content.includes(secret), false, 'a password is in the report');
    assert.match(content, /password: <redacted>/);
    assert.match(content, /max_connections\t/);
    assert.ok(readFileSync(file).length > 0);
  });

  test('GIVEN a cluster WHEN reload and restart MEMBER run THEN each says what it did and how long it took', async () => {
    const reload = await cliOk(state.dir, ['reload', NAME]);
    assert.match(reload.stderr, new RegExp(`reloaded ${NAME}-1 in [\\d.]+ s`));
    const restart = await cliOk(state.dir, ['restart', NAME, `${NAME}-1`]);
    assert.match(restart.stderr, new RegExp(`restarted ${NAME}-1 in [\\d.]+ s`));
    const whole = await cliOk(state.dir, ['restart', NAME]);
    assert.match(whole.stderr, /restarted .* in [\d.]+ s/);
  });
});
