/**
 * The Backup resource, serialized the way the engine does it and driven through the real
 * @pulumi/pulumi dynamic-provider host over gRPC, against a real local cluster archiving to MinIO
 * with pgBackRest: check refuses a bad type, create takes the backup and returns what pgBackRest
 * recorded, read finds it, a new type or trigger replaces it, delete leaves the backup in the
 * repository. Uses the built dist/ (run `npm run build` first). Ports 23600-23660, MinIO 23693.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamicHost, type DynamicHost } from '../helpers/dynamic-host';
import { cli, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { TestMinio } from '../helpers/minio';
import { stanzaInfo } from '../helpers/backup';
import type { PropertyMap } from '../helpers/property-values';

const { backupProvider } =
  require('../../dist/pulumi/backup') as typeof import('../../provider/pulumi/backup');

const NAME = 'dynbk';
const BUCKET = 'pgc-dynamic';

describe('Backup dynamic resource through the dynamic-provider host', { timeout: 300_000 }, () => {
  const state = tempStateDir('backup-dynamic');
  let minio: TestMinio;
  let host: DynamicHost;
  let id = '';
  let outs: PropertyMap = {};

  before(async () => {
    minio = await TestMinio.start(23693);
    await minio.createBucket(BUCKET);
    const file = writeSpec(state.dir, {
      name: NAME,
      instances: 2,
      platform: { local: { basePort: 23600 } },
      backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
    });
    const up = await cli(state.dir, ['up', '-f', file], undefined, minio.env());
    assert.equal(up.code, 0, up.stderr);
    host = await startDynamicHost(backupProvider, { module: 'pgcluster', type: 'Backup', name: 'nightly' });
  });

  after(async () => {
    await host?.stop();
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
    await minio.destroy();
  });

  test('GIVEN a type that does not exist WHEN check THEN it fails naming the field and what is allowed', async () => {
    const { failures } = await host.check({}, { cluster: NAME, stateDir: state.dir, type: 'weekly' });
    assert.deepEqual(failures, [
      { property: 'type', reason: 'type: "weekly" is not allowed: must be one of full, diff, incr' },
    ]);
  });

  test('GIVEN a cluster with an archive WHEN a Backup is created THEN its outputs are the backup pgBackRest recorded', async () => {
    const { inputs } = await host.check({}, { cluster: NAME, stateDir: state.dir });
    assert.equal(inputs.type, 'full', 'full by default');
    const created = await host.create(inputs);
    id = created.id;
    outs = created.outs;
    const info = await stanzaInfo(state.dir, NAME);
    const recorded = info.backups.find((b) => b.label === outs.label)!;
    assert.ok(recorded, `${String(outs.label)} is in the repository`);
    assert.equal(id, `${NAME}/${recorded.label}`);
    assert.equal(outs.backupType, 'full');
    assert.equal(outs.lsnStart, recorded.lsnStart);
    assert.equal(outs.lsnStop, recorded.lsnStop);
    assert.equal(outs.size, recorded.size);
    assert.equal(outs.repoSize, recorded.repoSize);
    assert.equal(outs.stoppedAt, recorded.stoppedAt);
  });

  test('GIVEN the Backup WHEN read THEN the same backup; WHEN its type or trigger changes THEN a replacement', async () => {
    const read = await host.read(id, outs);
    assert.equal(read.id, id);
    assert.equal(read.props.label, outs.label);
    const retype = await host.diff(id, outs, { ...outs, type: 'incr' });
    assert.equal(retype.changes, true);
    assert.deepEqual(retype.replaces, ['type']);
    const again = await host.diff(id, outs, { ...outs, trigger: 'after-migration' });
    assert.deepEqual(again.replaces, ['trigger']);
    assert.equal((await host.diff(id, outs, outs)).changes, false);
  });

  test('GIVEN the Backup WHEN deleted THEN the backup stays in the repository (retention expires it)', async () => {
    await host.delete(id, outs);
    const info = await stanzaInfo(state.dir, NAME);
    assert.ok(info.backups.some((b) => b.label === outs.label));
  });
});
