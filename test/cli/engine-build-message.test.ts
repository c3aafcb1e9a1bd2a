/**
 * tools/pulumi/build.sh when the module proxy refuses the Node.js language host (403, as it does
 * here): the build goes on, and says that this is expected and what stands in for the language
 * host. Go is stubbed (it "builds" shell scripts into a temp cache), so nothing is fetched or built
 * and the real engine cache is untouched.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli';

const FAKE_GO = `#!/usr/bin/env bash
# mod download -json M: the language host's module is refused; others have an empty go.mod.
case "$1 $2" in
  "mod download")
    if [[ "$4" == *pulumi-language-nodejs* ]]; then
      echo '{"Error": "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@v3.0.0: reading https://proxy.golang.org/...: 403 Forbidden"}'
    else
      printf 'module x\\n' >"$FAKE_GO_DIR/go.mod"; echo "{\\"GoMod\\": \\"$FAKE_GO_DIR/go.mod\\"}"
    fi ;;
  "mod edit") if [[ "$3" == -json* || "$3" == "" ]]; then echo '{"Replace": []}'; fi ;;
  "get "*) exit 0 ;;
  "build "*)
    while [[ "$1" != -o ]]; do shift; done
    printf '#!/bin/sh\\necho "v0.0.0"\\n' >"$2"; chmod +x "$2" ;;
esac
`;

describe('tools/pulumi/build.sh: the Node.js language host refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-engine-msg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('GIVEN the proxy answers 403 for the language host WHEN the engine builds THEN it says that is expected and what stands in for it', () => {
    const go = join(dir, 'go');
    writeFileSync(go, FAKE_GO);
    chmodSync(go, 0o755);
    const r = spawnSync('bash', [join(ROOT, 'tools', 'pulumi', 'build.sh')], {
      encoding: 'utf8',
      env: { ...process.env, GO: go, FAKE_GO_DIR: dir, PGCLUSTER_TOOLS_CACHE: join(dir, 'cache') },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /the Node\.js language host \(.*\) could not be fetched; not built:\n {4}.*403 Forbidden/,
    );
    assert.match(
      r.stderr,
      /that 403 is expected: the module proxy does not serve the Node\.js language host/,
    );
    assert.match(r.stderr, /in-process language\s+host \(tools\/pulumi\/program-host\.mjs/);
    assert.match(r.stderr, /See tools\/pulumi\/README\.md\./);
    const bin = r.stdout.trim().split('\n').at(-1) as string;
    assert.ok(bin.startsWith(join(dir, 'cache')), bin);
    assert.ok(existsSync(join(bin, 'pulumi')) && !existsSync(join(bin, 'pulumi-language-nodejs')));
  });
});
