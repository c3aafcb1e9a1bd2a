/**
 * examples/yaml through the real engine and the real Pulumi YAML language host (built from its Go
 * module by tools/pulumi): a program with no Node.js in it gets a real 3-member cluster from the
 * pgcluster provider plugin (bin/pulumi-resource-pgcluster), whose children, and the program's own
 * Role, are the plugin's custom resources (pgcluster:index:*), never Node dynamic resources. A role
 * altered by hand shows in `pulumi refresh` and `pulumi up` puts it back; the state holds no
 * password in clear; a bad field fails `pulumi preview` with the CLI's message; `pulumi destroy`
 * leaves nothing. Ports 22700-22760. Needs `npm run build` and `npm run tools`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT, cli } from '../helpers/cli';
import { primaryUri, processesUsing, query, statusOf, uriOf } from '../helpers/pg';
import { writeSpec } from '../helpers/spec-file';
import { engineMissing, engineSandbox, type Sandbox } from './support/engine';
import { stageProject, type Project } from './support/program';

const BASE = 22700;
const CLUSTER = 'demo';
const AUDITOR_PW = 'aud1tor-pw-not-in-the-state';
const skip = engineMissing(['pulumi', 'pulumi-language-yaml']);

describe(
  'examples/yaml through the real engine and the YAML language host',
  { skip, timeout: 600_000 },
  () => {
    let sandbox: Sandbox;
    let project: Project;
    let created = false;
    const auditor = async () =>
      (
        await query<{ rolconnlimit: number; rolcanlogin: boolean }>(
          await primaryUri(await uriOf(sandbox.stateDir, CLUSTER, '--superuser')),
          "select rolconnlimit, rolcanlogin from pg_roles where rolname = 'auditor'",
        )
      )[0];

    before(async () => {
      sandbox = engineSandbox('yaml', 'acceptance-yaml');
      // The engine finds the plugin on PATH, as a user with the package installed from a clone would.
      sandbox.env.PATH = [join(ROOT, 'bin'), sandbox.env.PATH].join(delimiter);
      project = stageProject(join(ROOT, 'examples', 'yaml'), sandbox);
      await project.pulumiOk(['stack', 'init', 'dev']);
      await project.pulumiOk(['config', 'set', 'basePort', String(BASE)]);
      await project.pulumiOk(['config', 'set', '--secret', 'auditorPassword', AUDITOR_PW]);
    });

    after(async () => {
      if (created) await project.pulumi(['destroy', '--yes']);
      if (sandbox) await cli(sandbox.stateDir, ['destroy', CLUSTER]);
      project?.remove();
      sandbox?.cleanup();
    });

    test('GIVEN instances 0 WHEN pulumi preview THEN it fails naming the field, with the message the CLI gives', async () => {
      await project.pulumiOk(['config', 'set', 'instances', '0']);
      const preview = await project.pulumi(['preview']);
      assert.notEqual(preview.code, 0);
      const file = writeSpec(sandbox.stateDir, { name: CLUSTER, instances: 0 }, 'bad.yaml');
      const fromCli = await cli(sandbox.stateDir, ['up', '-f', file]);
      assert.equal(fromCli.code, 2);
      const message = /instances: 0 is not allowed: must be >= 1/;
      assert.match(fromCli.stderr, message);
      assert.match(preview.output, message);
      await project.pulumiOk(['config', 'set', 'instances', '3']);
    });

    test("GIVEN the program WHEN pulumi up THEN a real 3-member cluster, its children and the Role are the plugin's own resources", async () => {
      created = true;
      const up = await project.pulumiOk(['up', '--yes', '--skip-preview']);
      const status = await statusOf(sandbox.stateDir, CLUSTER);
      assert.equal(status.members.length, 3);
      assert.equal(status.members.filter((m) => m.role === 'primary').length, 1);
      const outputs = JSON.parse(await project.pulumiOk(['stack', 'output', '--json'])) as {
        primary: string;
        endpoints: { pooler: string };
        auditor: string;
      };
      assert.equal(outputs.primary, status.primary);
      assert.equal(outputs.endpoints.pooler, `127.0.0.1:${BASE}`);
      assert.equal(outputs.auditor, 'auditor');
      assert.deepEqual(await auditor(), { rolconnlimit: 2, rolcanlogin: true });
      for (const type of ['LocalCluster', 'Role', 'Database', 'Grant'])
        assert.match(up, new RegExp(`\\+\\s+pgcluster:index:${type} `), type);
      assert.doesNotMatch(up, /pulumi-nodejs:dynamic/, 'no Node dynamic resource');
    });

    test('GIVEN the auditor role altered by hand WHEN pulumi refresh THEN its Role shows it, and pulumi up puts it back', async () => {
      await query(
        await primaryUri(await uriOf(sandbox.stateDir, CLUSTER, '--superuser')),
        'alter role auditor connection limit 9',
      );
      const refresh = await project.pulumiOk(['refresh', '--yes', '--diff']);
      assert.match(refresh, /~ pgcluster:index:Role: \(update\)[\s\S]*connectionLimit: 2 => 9/);
      await project.pulumiOk(['up', '--yes', '--skip-preview']);
      assert.deepEqual(await auditor(), { rolconnlimit: 2, rolcanlogin: true });
    });

    test('GIVEN the stack WHEN its state is exported THEN no password is in it in clear', async () => {
      const exported = await project.pulumiOk(['stack', 'export', '--show-secrets=false']);
      const onDisk = JSON.parse(
        readFileSync(join(sandbox.stateDir, CLUSTER, 'secrets.json'), 'utf8'),
      ) as Record<string, unknown>;
      for (const value of [AUDITOR_PW, onDisk.superuserPassword, onDisk.appPassword])
        assert.ok(!exported.includes(String(value)), 'a password is in the state');
      assert.ok(exported.includes('ciphertext'));
    });

    test('GIVEN the stack WHEN pulumi destroy THEN no process or file of the cluster is left', async () => {
      await project.pulumiOk(['destroy', '--yes']);
      created = false;
      assert.ok(!existsSync(join(sandbox.stateDir, CLUSTER)));
      assert.deepEqual(processesUsing(join(sandbox.stateDir, CLUSTER)), []);
    });
  },
);
