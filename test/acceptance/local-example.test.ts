/**
 * examples/local through the real Pulumi engine (built by tools/pulumi): `pulumi up` creates a
 * real 3-member cluster; a spec edit (stack config) previews with exactly the changed fields and
 * the parameters that restart PostgreSQL, and `pulumi up` applies it; `pulumi refresh` picks up a
 * change made by hand; the state file holds no password in clear; `pulumi destroy` leaves no
 * process or file. Ports 22100-22150. Needs `npm run build` and `npm run tools:pulumi`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, cliOk } from '../helpers/cli';
import { perHost, processesUsing, query, statusOf, uriOf } from '../helpers/pg';
import { engineMissing, engineSandbox, type Sandbox } from './support/engine';
import { stageProject, type Project } from './support/program';
import { isServing } from '../../provider/patroni/roles';

const BASE = 22100;
const CLUSTER = 'demo';
const skip = engineMissing();

describe('examples/local through the real engine', { skip }, () => {
  let sandbox: Sandbox;
  let project: Project;
  let created = false;

  before(async () => {
    sandbox = engineSandbox('example', 'acceptance-local');
    project = stageProject(join(ROOT, 'examples', 'local'), sandbox);
    await project.pulumiOk(['stack', 'init', 'dev']);
    await project.pulumiOk(['config', 'set', 'basePort', String(BASE)]);
  });

  after(async () => {
    if (created) await project.pulumi(['destroy', '--yes']);
    if (sandbox) await cli(sandbox.stateDir, ['destroy', CLUSTER]);
    project?.remove();
    sandbox?.cleanup();
  });

  test('GIVEN the example WHEN pulumi up THEN a healthy 3-member cluster runs and the outputs name it', async () => {
    created = true;
    await project.pulumiOk(['up', '--yes', '--skip-preview']);
    const status = await statusOf(sandbox.stateDir, CLUSTER);
    assert.equal(status.members.length, 3);
    assert.ok(
      status.members.every((m) => isServing(m.state)),
      JSON.stringify(status),
    );
    assert.equal(status.members.filter((m) => m.role === 'primary').length, 1);
    assert.equal(await streamingReplicas(sandbox.stateDir), 2);
    const outputs = JSON.parse(await project.pulumiOk(['stack', 'output', '--json'])) as Record<
      string,
      unknown
    >;
    assert.equal(outputs.primary, status.primary);
    assert.equal((outputs.endpoints as { pooler: string }).pooler, `127.0.0.1:${BASE}`);
    assert.equal(outputs.connectionUri, '[secret]');
  });

  test('GIVEN instances 2 and shared_buffers 64MB in the stack config WHEN pulumi preview --diff THEN exactly those fields change and the restart is shown', async () => {
    await project.pulumiOk(['config', 'set', 'instances', '2']);
    await project.pulumiOk(['config', 'set', '--path', 'parameters.shared_buffers', '64MB']);
    const preview = await project.pulumiOk(['preview', '--diff']);
    assert.deepEqual(changedLines(preview), [
      '~ pulumi-nodejs:dynamic/pgcluster:LocalCluster: (update)',
      '~ restartRequired: [',
      '+ [0]: "shared_buffers"',
      '~ spec : {',
      '~ instances : 3 => 2',
      '~ parameters : {',
      '+ shared_buffers: "64MB"',
      '~ 1 to update',
    ]);
    assert.match(preview, /^\s*6 unchanged$/m);
  });

  test('GIVEN the edited config WHEN pulumi up THEN 2 members run with shared_buffers 64MB', async () => {
    await project.pulumiOk(['up', '--yes', '--skip-preview']);
    const status = await statusOf(sandbox.stateDir, CLUSTER);
    assert.equal(status.members.length, 2);
    const superuser = (await uriOf(sandbox.stateDir, CLUSTER, '--superuser')).replace(/\?.*$/, '');
    for (const uri of perHost(superuser).filter((u) =>
      status.members.some((m) => u.includes(`:${m.port}/`)),
    )) {
      const [row] = await query<{ sb: string }>(uri, "select current_setting('shared_buffers') as sb");
      assert.equal(row?.sb, '64MB', uri);
    }
    const again = await project.pulumiOk(['preview', '--diff']);
    assert.match(again, /\d+ unchanged/);
    assert.doesNotMatch(again, /to update/);
  });

  test('GIVEN a desired primary and a switchover away from it by hand WHEN pulumi refresh THEN the drift shows, and pulumi up switches back', async () => {
    const desired = (await statusOf(sandbox.stateDir, CLUSTER)).primary as string;
    await project.pulumiOk(['config', 'set', 'primary', desired]);
    await project.pulumiOk(['up', '--yes', '--skip-preview']);
    const other = (await statusOf(sandbox.stateDir, CLUSTER)).members.find((m) => m.name !== desired)!.name;
    await cliOk(sandbox.stateDir, ['switchover', CLUSTER, '--to', other]);

    const refresh = await project.pulumiOk(['refresh', '--yes', '--diff']);
    const lines = changedLines(refresh);
    assert.ok(lines.includes('~ role : "primary" => "replica"'), refresh);
    assert.deepEqual(
      new Set(lines.filter((l) => !/^~ (\[\d+\]: \{|role : )/.test(l))),
      new Set([
        '~ pulumi-nodejs:dynamic/pgcluster:LocalCluster: (update)',
        '~ members : [',
        `~ primary : "${desired}" => "${other}"`,
        // The members swapped roles: Patroni reports a primary `running`, a replica `streaming`.
        '~ state: "running" => "streaming"',
        '~ state: "streaming" => "running"',
        '~ 1 to update',
        '~ 1 updated',
      ]),
    );
    assert.equal(resourceOutput(await project.pulumiOk(['stack', 'export']), 'primary'), other);

    const preview = await project.pulumiOk(['preview', '--diff']);
    assert.match(preview, /~ 1 to update/);
    await project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.equal((await statusOf(sandbox.stateDir, CLUSTER)).primary, desired);
  });

  test('GIVEN a role altered by hand WHEN pulumi refresh THEN the drift shows on its Role; preview names the field and pulumi up puts it back', async () => {
    const superuser = await primarySuperuser(sandbox.stateDir);
    const role = async () =>
      (
        await query<{ rolconnlimit: number; rolcanlogin: boolean }>(
          superuser,
          "select rolconnlimit, rolcanlogin from pg_roles where rolname = 'reporting'",
        )
      )[0];
    assert.deepEqual(await role(), { rolconnlimit: 5, rolcanlogin: true }, 'pulumi up created the role');
    await query(superuser, 'alter role reporting connection limit 50');

    const refresh = await project.pulumiOk(['refresh', '--yes', '--diff']);
    const lines = changedLines(refresh);
    // The display has the refresh's preview, then the refresh: the same lines twice.
    assert.deepEqual(
      new Set(lines),
      new Set([
        '~ pulumi-nodejs:dynamic/pgcluster:Role: (update)',
        '~ connectionLimit: 5 => 50',
        '~ 1 to update',
        '~ 1 updated',
      ]),
      refresh,
    );
    const preview = await project.pulumiOk(['preview', '--diff']);
    assert.deepEqual(changedLines(preview), [
      '~ pulumi-nodejs:dynamic/pgcluster:Role: (update)',
      '~ connectionLimit: 50 => 5',
      '~ 1 to update',
    ]);
    await project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.deepEqual(await role(), { rolconnlimit: 5, rolcanlogin: true });
    const again = await project.pulumiOk(['preview', '--diff']);
    assert.doesNotMatch(again, /to update/);
  });

  test('GIVEN the stack WHEN its state is exported and its backend files read THEN no password of the cluster is in clear', async () => {
    const onDisk = JSON.parse(
      readFileSync(join(sandbox.stateDir, CLUSTER, 'secrets.json'), 'utf8'),
    ) as Record<string, string | Array<{ user: string; secret: string }>>;
    // Passwords and verifiers; the pooler's managed users each by their verifier.
    const secrets = Object.entries(onDisk).flatMap(([key, value]) =>
      typeof value === 'string'
        ? [[key, value] as const]
        : value.map((u) => [`${key} ${u.user}`, u.secret] as const),
    );
    const exported = await project.pulumiOk(['stack', 'export', '--show-secrets=false']);
    const stored = filesUnder(sandbox.backendDir).map((f) => readFileSync(f, 'utf8'));
    assert.ok(exported.includes('ciphertext'), 'the connection URI is stored encrypted');
    assert.ok(secrets.length >= 7 && secrets.every(([, v]) => v.length >= 16));
    for (const [key, value] of secrets) {
      assert.ok(!exported.includes(value), `${key} is in the exported state`);
      assert.ok(
        stored.every((text) => !text.includes(value)),
        `${key} is in a backend file`,
      );
    }
  });

  test('GIVEN the stack WHEN pulumi destroy THEN no process or file of the cluster is left', async () => {
    await project.pulumiOk(['destroy', '--yes']);
    created = false;
    assert.ok(!existsSync(join(sandbox.stateDir, CLUSTER)));
    assert.deepEqual(processesUsing(join(sandbox.stateDir, CLUSTER)), []);
    const exported = JSON.parse(await project.pulumiOk(['stack', 'export'])) as {
      deployment: { resources?: unknown[] };
    };
    assert.deepEqual(exported.deployment.resources ?? [], []);
  });
});

/** The superuser URI of the primary's own host. */
async function primarySuperuser(stateDir: string): Promise<string> {
  const status = await statusOf(stateDir, CLUSTER);
  const primaryPort = status.members.find((m) => m.name === status.primary)?.port;
  const superuser = (await uriOf(stateDir, CLUSTER, '--superuser')).replace(/\?.*$/, '');
  return perHost(superuser).find((u) => u.includes(`:${primaryPort}/`)) as string;
}

/** Replicas the primary streams to, from pg_stat_replication. */
async function streamingReplicas(stateDir: string): Promise<number> {
  const [row] = await query<{ n: string }>(
    await primarySuperuser(stateDir),
    "select count(*) as n from pg_stat_replication where state = 'streaming'",
  );
  return Number(row?.n);
}

/** The diff lines of an engine display (`~`, `+`, `-`), whitespace collapsed; the stack line left out. */
function changedLines(display: string): string[] {
  return display
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => /^[~+-] /.test(l) && !l.startsWith('~ pulumi:pulumi:Stack'));
}

/** An output of the LocalCluster resource in an exported deployment. */
function resourceOutput(exported: string, key: string): unknown {
  const { deployment } = JSON.parse(exported) as {
    deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> };
  };
  return deployment.resources.find((r) => r.type.endsWith(':LocalCluster'))?.outputs?.[key];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
