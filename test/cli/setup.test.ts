/**
 * scripts/setup.sh runs `npm ci` only when package-lock.json or Node's version changed since the
 * last one (a stamp in node_modules). Run in a copy of the script's surroundings with npm, Node's
 * version and dpkg-query stubbed, so nothing is installed and the real node_modules is untouched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli';

describe('scripts/setup.sh: npm ci only when something changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-setup-'));
  const bin = join(dir, 'fakebin');
  const npmLog = join(dir, 'npm.log');

  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };

  before(() => {
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'tools', 'patroni'), { recursive: true });
    mkdirSync(bin);
    copyFileSync(join(ROOT, 'scripts', 'setup.sh'), join(dir, 'scripts', 'setup.sh'));
    writeFileSync(join(dir, 'tools', 'patroni', 'install.sh'), 'echo "patroni: (stub)"\n');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    // Every package installed; npm logs its arguments (`ci` makes node_modules); Node's version can be faked.
    script('dpkg-query', 'echo "install ok installed"');
    script('npm', `echo "$*" >>"${npmLog}"; if [[ "$1" == ci ]]; then mkdir -p node_modules; fi`);
    script(
      'node',
      `if [[ "$1" == --version ]]; then echo "\${FAKE_NODE_VERSION:-v20.0.0}"; else exec "${process.execPath}" "$@"; fi`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function setup(env: Record<string, string> = {}): { ci: boolean; stderr: string } {
    writeFileSync(npmLog, '');
    const r = spawnSync('bash', ['scripts/setup.sh'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
    });
    assert.equal(r.status, 0, r.stderr);
    const calls = readFileSync(npmLog, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      calls.some((c) => c.startsWith('run build')),
      'the build always runs',
    );
    return { ci: calls.some((c) => c.startsWith('ci ')), stderr: r.stderr };
  }

  test('GIVEN a fresh clone WHEN setup runs THEN npm ci runs', () => {
    assert.equal(setup().ci, true);
  });

  test('GIVEN nothing changed WHEN setup runs again THEN npm ci does not, and it says why', () => {
    const again = setup();
    assert.equal(again.ci, false);
    assert.match(
      again.stderr,
      /npm dependencies: up to date \(package-lock\.json and Node v20\.0\.0 unchanged\)/,
    );
  });

  test('GIVEN a changed package-lock.json WHEN setup runs THEN npm ci runs again, once', () => {
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3, "changed": true}\n');
    assert.equal(setup().ci, true);
    assert.equal(setup().ci, false);
  });

  test('GIVEN another Node version WHEN setup runs THEN npm ci runs again (native modules are per Node)', () => {
    assert.equal(setup({ FAKE_NODE_VERSION: 'v22.1.0' }).ci, true);
    assert.equal(setup({ FAKE_NODE_VERSION: 'v22.1.0' }).ci, false);
  });

  test('GIVEN node_modules removed WHEN setup runs THEN npm ci runs again', () => {
    rmSync(join(dir, 'node_modules'), { recursive: true });
    assert.equal(setup({ FAKE_NODE_VERSION: 'v22.1.0' }).ci, true);
  });
});
