/**
 * examples/local with `backup` through the real Pulumi engine, against the test MinIO (TLS, a CA
 * these tests make): `pulumi up` makes the cluster archive to the bucket and takes the example's
 * Backup, whose outputs name the backup pgBackRest recorded; the S3 keys stay Pulumi secrets; and
 * `pulumi destroy` removes the cluster but leaves its archive and backups in the bucket. Ports
 * 22300-22360, MinIO 22393. Needs `npm run build` and `npm run tools`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT, cli } from '../helpers/cli';
import { processesUsing, statusOf } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';
import { stanzaInfo } from '../helpers/backup';
import { engineMissing, engineSandbox, type Sandbox } from './support/engine';
import { stageProject, type Project } from './support/program';

const BASE = 22300;
const CLUSTER = 'demo';
const BUCKET = 'pgc-acceptance';
const skip = engineMissing();

describe('examples/local with backup through the real engine', { skip, timeout: 600_000 }, () => {
  let sandbox: Sandbox;
  let project: Project;
  let minio: TestMinio;
  let created = false;

  before(async () => {
    minio = await TestMinio.start(22393);
    await minio.createBucket(BUCKET);
    sandbox = engineSandbox('example-backup', 'acceptance-backup');
    Object.assign(sandbox.env, minio.env());
    project = stageProject(join(ROOT, 'examples', 'local'), sandbox);
    await project.pulumiOk(['stack', 'init', 'dev']);
    const file = join(project.dir, 'Pulumi.dev.yaml');
    const stack = (existsSync(file) ? YAML.parse(readFileSync(file, 'utf8')) : null) ?? {};
    stack.config = {
      ...stack.config,
      'pgcluster-local:basePort': BASE,
      'pgcluster-local:backup': { s3: minio.s3Spec(BUCKET), schedule: {} },
    };
    writeFileSync(file, YAML.stringify(stack));
  });

  after(async () => {
    if (created) await project.pulumi(['destroy', '--yes']);
    if (sandbox) await cli(sandbox.stateDir, ['destroy', CLUSTER]);
    project?.remove();
    sandbox?.cleanup();
    await minio?.destroy();
  });

  test('GIVEN backup in the stack config WHEN pulumi up THEN the cluster archives to the bucket and the Backup names the backup taken', async () => {
    created = true;
    const up = await project.pulumiOk(['up', '--yes', '--skip-preview']);
    assert.match(up, /\+ 1 created|created/);
    const status = await statusOf(sandbox.stateDir, CLUSTER);
    assert.match(status.archive?.lastArchivedWal ?? '', /^[0-9A-F]{24}/);
    const outputs = JSON.parse(await project.pulumiOk(['stack', 'output', '--json'])) as {
      firstBackup?: string;
    };
    const info = await stanzaInfo(sandbox.stateDir, CLUSTER);
    assert.ok(outputs.firstBackup, 'the Backup output its label');
    const made = info.backups.find((b) => b.label === outputs.firstBackup);
    assert.equal(made?.type, 'full');
    const keys = await minio.keys(BUCKET, '/pgcluster/demo/backup/demo/');
    assert.ok(
      keys.some((k) => k.includes(outputs.firstBackup as string)),
      'the backup is in the bucket',
    );
  });

  test('GIVEN the stack WHEN its state is exported THEN the S3 secret key is not in it in clear', async () => {
    const exported = await project.pulumiOk(['stack', 'export', '--show-secrets=false']);
    assert.ok(!exported.includes(minio.secretAccessKey));
    assert.ok(exported.includes('ciphertext'));
  });

  test('GIVEN the stack WHEN pulumi destroy THEN the cluster is gone and its archive and backups stay', async () => {
    const before = await minio.keys(BUCKET, '/pgcluster/demo/');
    assert.ok(before.length > 0);
    await project.pulumiOk(['destroy', '--yes']);
    created = false;
    assert.ok(!existsSync(join(sandbox.stateDir, CLUSTER)));
    assert.deepEqual(processesUsing(join(sandbox.stateDir, CLUSTER)), []);
    const after = await minio.keys(BUCKET, '/pgcluster/demo/');
    for (const key of before) assert.ok(after.includes(key), `${key} is still in the bucket`);
  });
});
