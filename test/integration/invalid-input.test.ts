/**
 * Invalid input is refused with exit code 2, a message naming the field, the value and what is
 * allowed, and nothing started or written.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { processesUsing } from '../helpers/pg';

const BASE = 21200;

describe('invalid input', () => {
  const state = tempStateDir('invalid');
  after(() => state.cleanup());

  const cases: Array<{ name: string; spec: Record<string, unknown>; expect: RegExp[] }> = [
    {
      name: 'an unknown key',
      spec: { name: 'bad', instancs: 3 },
      expect: [/instancs: unknown key \(did you mean "instances"\?\)/],
    },
    {
      name: 'instances 0',
      spec: { name: 'bad', instances: 0 },
      expect: [/instances: 0 is not allowed: must be >= 1/],
    },
    {
      name: 'an uppercase name',
      spec: { name: 'Orders' },
      expect: [/name: "Orders" is not allowed: must be a DNS-1035 label/],
    },
    {
      name: 'synchronous.number >= instances',
      spec: { name: 'bad', instances: 2, synchronous: { number: 2 } },
      expect: [/synchronous\.number: 2 must be < instances \(2\)/],
    },
    {
      name: 'a parameter pgcluster owns',
      spec: { name: 'bad', parameters: { wal_level: 'minimal' } },
      expect: [/parameters\.wal_level: is owned by pgcluster and cannot be set/],
    },
    {
      name: 'a replica cluster whose source does not exist',
      spec: { name: 'bad', replica: { source: { cluster: 'other' } } },
      expect: [/replica\.source\.cluster: no cluster named "other" in state dir .* \(see `pgcluster list`\)/],
    },
    {
      name: 'tls.required with tls off',
      spec: { name: 'bad', tls: { enabled: false, required: true } },
      expect: [/tls\.required: true is not allowed while tls\.enabled is false/],
    },
    {
      name: 'a CA file that is not there',
      spec: {
        name: 'bad',
        platform: { local: { basePort: 31700 } },
        tls: { ca: { certFile: 'no-such-ca.pem', keyFile: 'no-such-ca.key' } },
      },
      expect: [/tls\.ca\.certFile: cannot read .*no-such-ca\.pem/],
    },
    {
      name: 'an audit class pgaudit does not have',
      spec: { name: 'bad', monitoring: { audit: { log: ['everything'] } } },
      expect: [/monitoring\.audit\.log\[0\]: "everything" is not allowed/],
    },
    {
      name: 'missing PostgreSQL binaries',
      spec: { name: 'bad', postgresVersion: 13, platform: { local: { basePort: BASE } } },
      expect: [
        /postgresVersion 13: PostgreSQL 13 server binaries not found/,
        /apt-get install -y postgresql-13/,
      ],
    },
  ];

  for (const c of cases) {
    test(`GIVEN ${c.name} WHEN up THEN exit 2 with a message naming it, and nothing is created`, async () => {
      const file = writeSpec(state.dir, c.spec, `${c.name.replace(/\W+/g, '-')}.yaml`);
      const result = await cli(state.dir, ['up', '-f', file]);
      assert.equal(result.code, 2, result.stderr);
      for (const re of c.expect) assert.match(result.stderr, re);
      assert.ok(!existsSync(join(state.dir, String(c.spec.name))), 'no cluster directory');
      assert.equal(result.stdout, '');
    });
  }

  test('GIVEN only a Patroni 3.x on PATH (no pinned venv) WHEN up THEN exit 2 naming the version and the fix, nothing started', async () => {
    // Debian bookworm's Patroni 3.0.2, installed beside the pinned one only for this test.
    assert.ok(existsSync('/usr/bin/patroni'), 'Debian package patroni (scripts/setup.sh installs it)');
    const file = writeSpec(state.dir, { name: 'old', platform: { local: { basePort: BASE } } }, 'old.yaml');
    const env = { PGCLUSTER_PATRONI_VENV: join(state.dir, 'no-venv'), PATH: '/usr/bin:/bin' };
    const result = await cli(state.dir, ['up', '-f', file], undefined, env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Patroni 3\.0\.2 at \/usr\/bin\/patroni \(on PATH\) is older than 4\.0/);
    assert.match(result.stderr, /nothing was started/);
    assert.match(result.stderr, /scripts\/setup\.sh/);
    assert.match(result.stderr, /PGCLUSTER_PATRONI/);
    assert.ok(!existsSync(join(state.dir, 'old')), 'no cluster directory');
    assert.deepEqual(processesUsing(state.dir), []);
  });

  test('GIVEN PGCLUSTER_PATRONI naming no program WHEN up THEN exit 2 naming it', async () => {
    const file = writeSpec(state.dir, { name: 'gone', platform: { local: { basePort: BASE } } }, 'gone.yaml');
    const missing = join(state.dir, 'no', 'patroni');
    const result = await cli(state.dir, ['up', '-f', file], undefined, { PGCLUSTER_PATRONI: missing });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`PGCLUSTER_PATRONI ${missing}: not an executable file`));
    assert.ok(!existsSync(join(state.dir, 'gone')));
  });

  test('GIVEN a port of the cluster taken by another program WHEN up THEN exit 2 naming the port, nothing started', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(BASE + 12, '127.0.0.1', resolve));
    try {
      const file = writeSpec(
        state.dir,
        { name: 'taken', platform: { local: { basePort: BASE } } },
        'taken.yaml',
      );
      const result = await cli(state.dir, ['up', '-f', file]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `platform\\.local\\.basePort ${BASE}: port ${BASE + 12} \\(PostgreSQL of taken-2\\) already in use`,
        ),
      );
      assert.ok(!existsSync(join(state.dir, 'taken')));
      assert.deepEqual(processesUsing(state.dir), []);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('GIVEN a missing spec file or bad YAML WHEN up THEN exit 2', async () => {
    const missing = await cli(state.dir, ['up', '-f', join(state.dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the spec file \(ENOENT\)/);
    const file = join(state.dir, 'dup.yaml');
    writeFileSync(file, 'name: a\nname: b\n');
    const dup = await cli(state.dir, ['up', '-f', file]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /not valid YAML or JSON: Map keys must be unique/);
  });

  test('GIVEN an unknown cluster or command WHEN status/uri/bogus THEN exit 2', async () => {
    for (const args of [['status', 'ghost'], ['uri', 'ghost'], ['switchover', 'ghost'], ['bogus'], ['up']]) {
      const result = await cli(state.dir, args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.ok(result.stderr.length > 0);
    }
  });
});
