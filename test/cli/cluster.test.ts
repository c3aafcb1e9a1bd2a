/**
 * The CLI on a real local cluster, as a person meets it: `status` right after `up` names the
 * synchronous standby; a second `up` says there is nothing to change and what it checked; a changed
 * spec is applied and said so; a member whose processes are killed is named in `status` with its
 * log and the command that brings it back, and that command does; a new replica's base backup
 * shows its progress; a stopped cluster's status says so and exits 0; status loads no spec schema
 * and no PostgreSQL client. Ports 27200-27260. Needs `npm run build`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir, type CliResult } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { processesUsing, statusOf, uriOf, waitFor } from '../helpers/pg';
import type { ClusterStatus } from '../../provider/actions/status';
import { HEAVY, packagesLoaded } from './support/modules';
import { matchText, stable } from './support/text-snapshot';

const NAME = 'clitest';
const BASE = 27200;

describe('the CLI on a real cluster', { timeout: 600_000 }, () => {
  const state = tempStateDir('cli-cluster');
  const spec = (extra: Record<string, unknown> = {}) =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 2,
      platform: { local: { basePort: BASE, keeper: false } },
      synchronous: { number: 1 },
      ...extra,
    });
  const run = (args: string[]): Promise<CliResult> => cli(state.dir, args, undefined, { NO_COLOR: '1' });
  const ok = async (args: string[]): Promise<CliResult> => {
    const r = await run(args);
    assert.equal(r.code, 0, `pgcluster ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  let file = '';

  before(() => {
    file = spec();
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    const left = processesUsing(state.dir);
    state.cleanup();
    assert.deepEqual(left, [], 'processes left after destroy');
  });

  test('GIVEN up of a 2-member synchronous cluster WHEN status runs at once THEN the replica is already the synchronous standby', async () => {
    const up = await ok(['up', '-f', file]);
    assert.match(up.stderr, /ready in .* 1 replica\(s\) streaming \(synchronous\)/);
    const s = await statusOf(state.dir, NAME);
    const replica = s.members.find((m) => m.role === 'replica');
    assert.ok(replica, JSON.stringify(s.members));
    assert.equal(replica.sync, true, JSON.stringify(s.members));
    const table = (await ok(['status', NAME])).stdout;
    assert.match(table, new RegExp(`^${replica.name}\\s+(sync|quorum)-replica\\s+streaming`, 'm'));
  });

  test('GIVEN the same spec WHEN up runs again THEN it says nothing to change and what it checked', async () => {
    const again = await ok(['up', '-f', file]);
    const primary = (await statusOf(state.dir, NAME)).primary as string;
    matchText('up-nothing-to-change', stable(again.stderr, { [primary]: '<primary>' }));
  });

  test('GIVEN a changed parameter WHEN up runs THEN it applies it and does not say nothing to change', async () => {
    const changed = await ok(['up', '-f', spec({ parameters: { work_mem: '16MB' } })]);
    assert.match(changed.stderr, /updated the dynamic configuration \(parameters: work_mem\)/);
    assert.match(changed.stderr, /waiting for 2 member\(s\) to be healthy|ready in/);
    assert.doesNotMatch(changed.stderr, /nothing to change, checked/);
    file = spec({ parameters: { work_mem: '16MB' } });
  });

  test('GIVEN a running cluster WHEN status runs THEN it loads no spec schema, YAML, Pulumi, Kubernetes client or pg', () => {
    const { code, packages } = packagesLoaded(state.dir, ['status', NAME]);
    assert.equal(code, 0);
    for (const heavy of [...HEAVY, 'pg']) assert.ok(!packages.has(heavy), `status loaded ${heavy}`);
  });

  test("GIVEN a replica's Patroni killed WHEN status runs THEN it names the processes gone, the log and the command that brings it back, which does", async () => {
    const before = await statusOf(state.dir, NAME);
    const victim = before.members.find((m) => m.role === 'replica') as ClusterStatus['members'][number];
    process.kill(victim.patroniPid as number, 'SIGKILL');
    // The supervisor stops the postmaster and exits once Patroni is gone.
    const s = await waitFor('the member down', async () => {
      const now = await statusOf(state.dir, NAME);
      const m = now.members.find((x) => x.name === victim.name);
      return m?.down?.gone.length === 3 ? now : undefined;
    });
    const member = s.members.find((m) => m.name === victim.name);
    assert.equal(member?.state, 'stopped');
    const table = await ok(['status', NAME]);
    const log = join(state.dir, NAME, 'members', victim.name, 'patroni.log');
    const command = `pgcluster --state-dir ${state.dir} up -f ${file}`;
    assert.ok(
      table.stdout.includes(
        `${victim.name} is down: its supervisor, Patroni and postmaster are gone\n` +
          `  log:           ${log}\n` +
          `  bring it back: ${command}\n`,
      ),
      table.stdout,
    );
    assert.ok(readFileSync(log, 'utf8').length > 0, 'the log named is the member log');
    // The command as printed, run through a shell, with `pgcluster` being the built CLI.
    const shell = spawnSync(
      'bash',
      ['-c', `pgcluster() { "${process.execPath}" bin/pgcluster.js "$@"; }; ${command}`],
      {
        cwd: join(__dirname, '..', '..'),
        encoding: 'utf8',
        env: { ...process.env, PGCLUSTER_STATE_DIR: '', NO_COLOR: '1' },
      },
    );
    assert.equal(shell.status, 0, shell.stderr);
    assert.match(shell.stderr, new RegExp(`started ${victim.name}`));
    const back = await ok(['status', NAME]);
    assert.doesNotMatch(back.stdout, /is down/);
    assert.match(back.stdout, new RegExp(`^${victim.name}\\s+\\S+\\s+streaming`, 'm'));
  });

  test('GIVEN data and a third member WHEN up adds it THEN its base backup shows how far it is', async () => {
    const uri = await uriOf(state.dir, NAME, '--superuser');
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '40', uri], { encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    file = spec({ parameters: { work_mem: '16MB' }, instances: 3 });
    const up = await ok(['up', '-f', file]);
    const lines = up.stderr.split('\n').filter((l) => l.includes(`${NAME}-3: base backup from ${NAME}-`));
    assert.ok(lines.length > 0, up.stderr);
    // Off a terminal: plain lines; the last one has the total the primary estimated and says done.
    assert.match(
      lines.at(-1) as string,
      /: \d+(\.\d)? MiB of \d+(\.\d)? MiB \(100%\)(, [\d.]+ \S+\/s)?, done$/,
    );
  });

  test('GIVEN down WHEN status runs THEN it says the cluster is stopped and how to start it, and exits 0', async () => {
    await ok(['down', NAME]);
    const s = await ok(['status', NAME]);
    assert.ok(
      s.stdout.startsWith(
        `Cluster ${NAME}: stopped (no member runs; its data is kept). Start it: pgcluster --state-dir ${state.dir} up -f ${file}\n`,
      ),
      s.stdout,
    );
    const json = JSON.parse((await ok(['status', NAME, '--json'])).stdout) as ClusterStatus;
    assert.equal(json.stopped, true);
  });
});
