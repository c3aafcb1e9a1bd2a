/**
 * A failing WAL archive in the metrics: a local cluster with backup to a real S3 server (MinIO) and
 * monitoring.exporters; while S3 is down, postgres_exporter's pgcluster_archiver_failing turns 1 and
 * failed_count grows; once S3 is back, archiving resumes and failing returns to 0. Ports 31300-31380,
 * MinIO 31390.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { cli, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { primaryUri, query, sleep, statusOf, uriOf, waitFor } from '../helpers/pg';
import { TestMinio } from '../helpers/minio';

const NAME = 'marc';
const BASE = 31300;
const BUCKET = 'pgc-metrics';

function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function value(text: string, metric: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('metrics: a failing archive', { timeout: 900_000 }, () => {
  const state = tempStateDir('marc');
  let minio: TestMinio;
  let env: Record<string, string> = {};
  let url = '';

  before(async () => {
    minio = await TestMinio.start(31390);
    await minio.createBucket(BUCKET);
    env = minio.env();
    const spec = writeSpec(state.dir, {
      name: NAME,
      instances: 1,
      platform: { local: { basePort: BASE } },
      backup: { s3: minio.s3Spec(BUCKET), schedule: {} },
      monitoring: {},
    });
    const r = await cli(state.dir, ['up', '-f', spec], undefined, env);
    assert.equal(r.code, 0, r.stderr);
    url = (await statusOf(state.dir, NAME)).services[`exporter ${NAME}-1`]!.url!;
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
    await minio.destroy();
  });

  test('GIVEN archiving to S3 WHEN scraped THEN archive_mode is on, segments were archived and it is not failing', async () => {
    const text = await waitFor(
      'an archived segment in the metrics',
      async () => {
        const t = await scrape(url);
        return (value(t, 'pgcluster_archiver_archived_count') ?? 0) >= 1 ? t : undefined;
      },
      60_000,
    );
    assert.match(text, /pgcluster_archiver_failing\{archive_mode="on"/);
    assert.equal(value(text, 'pgcluster_archiver_failing'), 0);
  });

  test('GIVEN S3 down WHEN WAL is switched THEN the exporter reports the archive failing, and not once S3 is back', async () => {
    const su = await primaryUri(await uriOf(state.dir, NAME, '--superuser'));
    await minio.stop();
    try {
      const failing = await waitFor(
        'pgcluster_archiver_failing 1',
        async () => {
          await query(
            su,
            'create table if not exists churn (i int); insert into churn select generate_series(1, 1000)',
          );
          await query(su, 'select pg_switch_wal()');
          const t = await scrape(url);
          await sleep(2000);
          return value(t, 'pgcluster_archiver_failing') === 1 ? t : undefined;
        },
        240_000,
      );
      assert.ok((value(failing, 'pgcluster_archiver_failed_count') ?? 0) >= 1);
    } finally {
      await minio.start();
    }
    await waitFor(
      'pgcluster_archiver_failing 0 after S3 is back',
      async () => {
        await query(su, 'select pg_switch_wal()');
        const t = await scrape(url);
        await sleep(2000);
        return value(t, 'pgcluster_archiver_failing') === 0 ? t : undefined;
      },
      240_000,
    );
  });
});
