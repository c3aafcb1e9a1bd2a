import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../errors';
import {
  checkPatroniVersion,
  findPatroni,
  patroniLockFile,
  pinnedPatroniVersion,
  pinnedVenvDirs,
} from './patroni';

const ROOT = join(__dirname, '..', '..', '..');

describe('the pinned Patroni', () => {
  test('GIVEN the lock WHEN read THEN Patroni 4.1.x and every package pinned with a sha256 hash', () => {
    const lock = readFileSync(patroniLockFile(), 'utf8');
    assert.match(pinnedPatroniVersion(lock), /^4\.1\.\d+$/);
    const pins = lock.split(/\n(?=[a-z0-9])/i).filter((block) => /^[A-Za-z0-9_.-]+==/.test(block));
    assert.ok(pins.length >= 10, `${pins.length} pinned packages`);
    for (const block of pins) assert.match(block, /--hash=sha256:[0-9a-f]{64}/, block.split('\n')[0]);
    for (const name of ['patroni', 'psycopg2-binary', 'python-etcd', 'urllib3'])
      assert.ok(
        pins.some((p) => p.startsWith(`${name}==`)),
        `${name} pinned`,
      );
  });

  test('GIVEN the image and the local platform WHEN they install Patroni THEN both use the same lock with --require-hashes', () => {
    // The image (images/Dockerfile and images/build.sh alike) installs images/packages.txt, then
    // images/rootfs-setup.sh installs the lock.
    const dockerfile = readFileSync(join(ROOT, 'images', 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /COPY .*tools\/patroni\/requirements\.txt /);
    const setup = readFileSync(join(ROOT, 'images', 'rootfs-setup.sh'), 'utf8');
    assert.match(setup, /pip install .*--require-hashes/s);
    const packages = readFileSync(join(ROOT, 'images', 'packages.txt'), 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    assert.ok(packages.includes('postgresql-@PG@'), `the package list: ${packages.join(' ')}`);
    assert.ok(!packages.includes('patroni'), `no Debian patroni package in: ${packages.join(' ')}`);
    const install = readFileSync(join(ROOT, 'tools', 'patroni', 'install.sh'), 'utf8');
    assert.match(install, /--require-hashes/);
  });

  test('GIVEN install.sh WHEN asked where it installs THEN it names the first directory the platform searches', () => {
    const printed = execFileSync('bash', [join(ROOT, 'tools', 'patroni', 'install.sh'), '--print-dir'], {
      encoding: 'utf8',
      env: { ...process.env, PGCLUSTER_PATRONI_VENV: '' },
    }).trim();
    assert.equal(printed, pinnedVenvDirs({ ...process.env, PGCLUSTER_PATRONI_VENV: '' })[0]);
    assert.match(printed, /patroni-4\.1\.\d+-[0-9a-f]{12}$/);
  });
});

describe('findPatroni', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-find-patroni-'));
  const venv = join(dir, 'venv');
  const noWhich = () => undefined;

  test('GIVEN PGCLUSTER_PATRONI WHEN searching THEN it wins over the venv and PATH', () => {
    const found = findPatroni(() => '/usr/bin/patroni', { PGCLUSTER_PATRONI: '/opt/p/bin/patroni' });
    assert.deepEqual(found, { path: '/opt/p/bin/patroni', source: 'PGCLUSTER_PATRONI' });
  });

  test('GIVEN a complete pinned venv WHEN searching THEN it wins over PATH; an incomplete one (no stamp) does not', () => {
    mkdirSync(join(venv, 'bin'), { recursive: true });
    writeFileSync(join(venv, 'bin', 'patroni'), '#!/bin/sh\n');
    const env = { PGCLUSTER_PATRONI_VENV: venv };
    assert.deepEqual(
      findPatroni(() => '/usr/bin/patroni', env),
      { path: '/usr/bin/patroni', source: 'PATH' },
    );
    writeFileSync(join(venv, '.stamp'), '4.1.5\n');
    assert.deepEqual(
      findPatroni(() => '/usr/bin/patroni', env),
      {
        path: join(venv, 'bin', 'patroni'),
        source: 'pinned',
      },
    );
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN nothing anywhere WHEN searching THEN undefined', () => {
    assert.equal(findPatroni(noWhich, { PGCLUSTER_PATRONI_VENV: join(dir, 'none') }), undefined);
  });
});

describe('checkPatroniVersion', () => {
  const cases: Array<[string, boolean]> = [
    ['4.0.0', true],
    ['4.1.5', true],
    ['5.0.1', true],
    ['3.0.2', false],
    ['3.3.11', false],
    ['2.1.7', false],
    ['garbage', false],
  ];
  for (const [version, ok] of cases)
    test(`GIVEN Patroni ${version} WHEN checked THEN ${ok ? 'accepted' : 'refused, naming it and the fix'}`, () => {
      const found = { path: '/usr/bin/patroni', source: 'PATH' as const };
      if (ok) return assert.doesNotThrow(() => checkPatroniVersion(found, version));
      assert.throws(
        () => checkPatroniVersion(found, version),
        (e: unknown) =>
          e instanceof InputError &&
          e.message.includes(`Patroni ${version} at /usr/bin/patroni (on PATH) is older than 4.0`) &&
          e.message.includes('scripts/setup.sh') &&
          e.message.includes('PGCLUSTER_PATRONI') &&
          e.message.includes(pinnedPatroniVersion()),
      );
    });
});
