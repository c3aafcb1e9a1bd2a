import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeConfigOf } from './port-forward';

const TWO_CONTEXTS = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- {name: a, cluster: {server: "https://site-a.example:6443"}}',
  '- {name: b, cluster: {server: "https://site-b.example:6443"}}',
  'users: [{name: u, user: {token: t}}]',
  'contexts:',
  '- {name: site-a, context: {cluster: a, user: u}}',
  '- {name: site-b, context: {cluster: b, user: u}}',
  'current-context: site-a',
  '',
].join('\n');

describe('kubeConfigOf: the kubeconfig the deployer reaches a cluster through', () => {
  test('GIVEN its text and a context WHEN loaded THEN that context is current: its server is the one reached', () => {
    const config = kubeConfigOf(TWO_CONTEXTS, 'site-b');
    assert.equal(config.getCurrentContext(), 'site-b');
    assert.equal(config.getCurrentCluster()?.server, 'https://site-b.example:6443');
    assert.equal(kubeConfigOf(TWO_CONTEXTS).getCurrentCluster()?.server, 'https://site-a.example:6443');
  });

  test("GIVEN its file's path WHEN loaded THEN the file is read, as a Kubernetes provider takes it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-kubeconfig-'));
    try {
      writeFileSync(join(dir, 'config'), TWO_CONTEXTS, { mode: 0o600 });
      assert.equal(kubeConfigOf(join(dir, 'config'), 'site-b').getCurrentContext(), 'site-b');
      assert.throws(() => kubeConfigOf(join(dir, 'missing')), /^Error: no kubeconfig file at .*missing$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN a context it lacks, or a text with no cluster WHEN loaded THEN refused naming the contexts, never echoing the text', () => {
    assert.throws(
      () => kubeConfigOf(TWO_CONTEXTS, 'site-c'),
      /platform\.kubernetes\.context: "site-c" is not a context of the given kubeconfig \(its contexts: site-a, site-b\)/,
    );
    assert.throws(
      () => kubeConfigOf('password: hunter2\nother: x\n'),
      (e: Error) => e.message === 'no cluster in it',
    );
  });
});
