/**
 * Metrics, logs and statistics on a real local cluster under tls: postgres_exporter (Debian's) per
 * member with pgcluster's query set, Patroni's /metrics over HTTPS, PgBouncer's stats; PostgreSQL's
 * jsonlog parsed line by line; a pgaudit entry for an audited statement; pg_stat_statements; and a
 * restart only when the preload list changes. Ports 31100-31180.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { statusOf, uriOf, waitFor } from '../helpers/pg';
import { connectTo } from '../../provider/sql/connect';
import type { ClusterStatus } from '../../provider/actions/status';

const NAME = 'obs';
const BASE = 31100;

function get(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? request : require('node:http').request;
    const req = send(
      url,
      { ...(ca ? { ca } : {}), agent: false, timeout: 10_000 },
      (res: import('node:http').IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Samples of one metric: labels and value. */
function samples(text: string, metric: string): Array<{ labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `))
    .map((l) => {
      const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries(
        [...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
      );
      return { labels: labels as Record<string, string>, value: Number(m[2]) };
    });
}

describe('local cluster: exporters, JSON logs, pgaudit, pg_stat_statements', () => {
  const state = tempStateDir('obs');
  const ca = () => readFileSync(join(state.dir, NAME, 'tls', 'ca.crt'), 'utf8');
  const spec = (monitoring: Record<string, unknown>) =>
    writeSpec(state.dir, {
      name: NAME,
      instances: 2,
      platform: { local: { basePort: BASE } },
      tls: {},
      monitoring,
    });
  let s: ClusterStatus;

  before(async () => {
    await cliOk(state.dir, [
      'up',
      '-f',
      spec({ logFormat: 'json', audit: { log: ['ddl', 'write'] }, autoExplain: { minDuration: 0 } }),
    ]);
    s = await waitFor(
      'a streaming replica',
      async () => {
        const now = await statusOf(state.dir, NAME);
        return now.members.some((m) => m.role === 'replica' && m.state === 'streaming') ? now : undefined;
      },
      60_000,
    );
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  test('GIVEN exporters WHEN status is asked THEN every exporter and Patroni /metrics is listed with its port, running', () => {
    const names = Object.keys(s.services).filter((k) => s.services[k]?.url);
    assert.deepEqual(names.sort(), [
      'exporter obs-1',
      'exporter obs-2',
      'exporter pooler',
      'patroni obs-1',
      'patroni obs-2',
    ]);
    assert.equal(s.services['exporter obs-1']?.port, BASE + 61);
    assert.equal(s.services['exporter pooler']?.port, BASE + 3);
    for (const n of names) assert.equal(s.services[n]?.running, true, n);
  });

  test("GIVEN the primary's postgres_exporter WHEN scraped THEN lag per member, WAL, archiving, connections, locks and bloat are there", async () => {
    const primary = s.members.find((m) => m.role === 'primary')!;
    const replica = s.members.find((m) => m.role === 'replica')!;
    const text = await waitFor(
      'the replica in the lag series',
      async () => {
        const t = await get(s.services[`exporter ${primary.name}`]!.url!);
        return samples(t, 'pgcluster_replication_lag_bytes').some((x) => x.labels.member === replica.name)
          ? t
          : undefined;
      },
      30_000,
    );
    const lag = samples(text, 'pgcluster_replication_lag_bytes').find(
      (x) => x.labels.member === replica.name,
    )!;
    assert.equal(lag.labels.state, 'streaming');
    assert.ok(lag.value >= 0);
    assert.equal(samples(text, 'pgcluster_wal_in_recovery')[0]?.value, 0);
    assert.ok(samples(text, 'pgcluster_wal_position_bytes')[0]!.value > 0);
    assert.deepEqual(samples(text, 'pgcluster_archiver_failing')[0]?.labels.archive_mode, 'off');
    assert.ok(samples(text, 'pgcluster_archiver_failed_count').length === 1);
    assert.ok(samples(text, 'pgcluster_connections_count').some((x) => x.labels.state === 'active'));
    assert.ok(samples(text, 'pgcluster_locks_count').length > 0);
    // Bloat: dead tuples of a table of the postgres database (the one the exporter reads).
    const { spawnSync } = await import('node:child_process');
    const su = await uriOf(state.dir, NAME, '--superuser');
    const made = spawnSync(
      'psql',
      [
        su,
        '-XAtc',
        'create table bloated as select generate_series(1, 1000) i; delete from bloated where i <= 600',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    const bloat = await waitFor(
      'dead tuples of bloated',
      async () => {
        const t = await get(s.services[`exporter ${primary.name}`]!.url!);
        return samples(t, 'pgcluster_bloat_dead_tuples').find(
          (x) => x.labels.relname === 'bloated' && x.value > 0,
        );
      },
      20_000,
    );
    assert.equal(bloat.value, 600);
    assert.equal(bloat.labels.datname, 'postgres');
    assert.equal(samples(text, 'pg_up')[0]?.value, 1);
    const standby = await get(s.services[`exporter ${replica.name}`]!.url!);
    assert.equal(samples(standby, 'pgcluster_wal_in_recovery')[0]?.value, 1);
  });

  test('GIVEN Patroni under tls WHEN /metrics is scraped over HTTPS with the CA THEN the primary and the replica say which they are', async () => {
    for (const m of s.members) {
      const text = await get(s.services[`patroni ${m.name}`]!.url!, ca());
      assert.equal(
        samples(text, 'patroni_primary').find((x) => x.labels.name === m.name)?.value,
        m.role === 'primary' ? 1 : 0,
      );
      assert.equal(samples(text, 'patroni_postgres_running')[0]?.value, 1);
    }
  });

  test('GIVEN a client held open through the pooler WHEN the PgBouncer exporter is scraped THEN it counts that client', async () => {
    const uri = new URL(await uriOf(state.dir, NAME, '--pooler'));
    const client = await connectTo(
      { host: uri.hostname, port: Number(uri.port) },
      { user: 'app', password: decodeURIComponent(uri.password), database: 'app', ssl: { ca: ca() } },
    );
    try {
      await client.query('select 1');
      const text = await get(s.services['exporter pooler']!.url!);
      assert.equal(samples(text, 'pgbouncer_up')[0]?.value, 1);
      const app = samples(text, 'pgbouncer_pools_client_active_connections').find(
        (x) => x.labels.database === 'app' && x.labels.user === 'app',
      );
      assert.ok(app && app.value >= 1, text);
      assert.ok(
        samples(text, 'pgbouncer_stats_queries_pooled_total').some(
          (x) => x.labels.database === 'app' && x.value >= 1,
        ),
      );
    } finally {
      await client.end();
    }
  });

  test('GIVEN logFormat json and audit ddl,write WHEN a table is created and written THEN every log line parses and pgaudit logged both', async () => {
    const su = await uriOf(state.dir, NAME, '--superuser');
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(
      'psql',
      [su, '-XAtc', 'create table audited (i int); insert into audited values (1)'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const primary = s.members.find((m) => m.role === 'primary')!;
    const dir = join(state.dir, NAME, 'members', primary.name, 'log');
    const entries = await waitFor(
      'the audit entries',
      async () => {
        const lines = readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .flatMap((f) =>
            readFileSync(join(dir, f), 'utf8')
              .split('\n')
              .filter((l) => l.length > 0),
          );
        const parsed = lines.map((l) => JSON.parse(l) as { message?: string; error_severity?: string });
        const audit = parsed.filter((e) => e.message?.startsWith('AUDIT: SESSION'));
        return audit.some((e) => /INSERT/.test(e.message!)) ? { parsed, audit } : undefined;
      },
      15_000,
    );
    assert.ok(entries.parsed.length > 10);
    assert.ok(
      entries.audit.some((e) => /DDL,CREATE TABLE/.test(e.message!)),
      JSON.stringify(entries.audit),
    );
    assert.ok(entries.audit.some((e) => /WRITE,INSERT/.test(e.message!)));
  });

  test('GIVEN pg_stat_statements preloaded WHEN the extension is created THEN it reports statements', async () => {
    const su = await uriOf(state.dir, NAME, '--superuser');
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(
      'psql',
      [
        su,
        '-XAtc',
        'create extension if not exists pg_stat_statements; select count(*) > 0, current_setting($$shared_preload_libraries$$) from pg_stat_statements',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CREATE EXTENSION\nt\|auto_explain,pg_stat_statements,pgaudit$/m);
  });

  test('GIVEN other settings but the same preload list WHEN up THEN nothing restarts; GIVEN audit removed WHEN up THEN the members restart', async () => {
    const pids = () =>
      statusOf(state.dir, NAME).then((x) => Object.fromEntries(x.members.map((m) => [m.name, m.pid])));
    const before = await pids();
    const same = await cliOk(state.dir, [
      'up',
      '-f',
      spec({ logFormat: 'json', audit: { log: ['ddl'] }, autoExplain: { minDuration: '5s' } }),
    ]);
    assert.doesNotMatch(same.stdout + same.stderr, /restarted/);
    assert.deepEqual(await pids(), before);
    const fewer = await cliOk(state.dir, [
      'up',
      '-f',
      spec({ logFormat: 'json', autoExplain: { minDuration: '5s' } }),
    ]);
    assert.match(fewer.stdout + fewer.stderr, /shared_preload_libraries.*need.*restart/);
    assert.match(fewer.stdout + fewer.stderr, /restarted obs-/);
    const afterPids = await pids();
    for (const m of Object.keys(before)) assert.notEqual(afterPids[m], before[m], `${m} restarted`);
  });
});
