/**
 * The package conventions, checked with the built CLI, offline: `pulumi package get-schema` of the
 * plugin executable prints schema.json exactly. The source-based form (PulumiPlugin.yaml, runtime
 * nodejs) needs the Node.js language host, which the Go module proxy refuses here; that refusal is
 * what this machine gives (docs/sdks.md), and the executable path is what works without it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../helpers/cli';
import { ENGINE_BIN, engineMissing } from './support/engine';

const skip = engineMissing(['pulumi']);

function pulumi(args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'pgc-package-'));
  try {
    return spawnSync(join(ENGINE_BIN, 'pulumi'), args, {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: '1',
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
        PATH: `${ENGINE_BIN}:${process.env.PATH}`,
      },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('the package as a plugin, with the built CLI', { skip }, () => {
  test('GIVEN the plugin executable WHEN pulumi package get-schema THEN schema.json as checked in (offline)', () => {
    const r = pulumi(['package', 'get-schema', join(ROOT, 'bin', 'pulumi-resource-pgcluster')]);
    assert.equal(r.status, 0, r.stderr);
    // The engine binds and prints it again: the same content, plus an empty `config` section.
    const { config, ...printed } = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(config, {});
    assert.deepEqual(printed, JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8')));
  });

  test('GIVEN PulumiPlugin.yaml WHEN read THEN it declares the nodejs runtime of a source-based plugin', () => {
    assert.deepEqual(YAML.parse(readFileSync(join(ROOT, 'PulumiPlugin.yaml'), 'utf8')), {
      runtime: 'nodejs',
    });
  });

  test('GIVEN the source-based plugin WHEN get-schema runs here THEN the engine asks for the Node.js language host the module proxy refuses', () => {
    const r = pulumi(['package', 'get-schema', ROOT]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no language plugin 'pulumi-language-nodejs' found/);
  });
});
