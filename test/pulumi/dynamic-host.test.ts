/**
 * The dynamic-host harness against the real @pulumi/pulumi dynamic-provider host: a closure-free
 * provider that manages a file goes through check → create → diff → update → read → delete over
 * gRPC; a provider that throws has its message come back; secrets follow the engine's rules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import { startDynamicHost, type DynamicHost } from '../helpers/dynamic-host';
import { RpcError } from '../helpers/grpc-call';
import { Secret, UNKNOWN, reveal, secret } from '../helpers/property-values';

interface FileInputs {
  path: string;
  content: string;
}

/** Manages one file: its path is the id; a new path means a new file (replace). */
const fileProvider: pulumi.dynamic.ResourceProvider<FileInputs> = {
  async check(_olds, news) {
    const failures = news.path?.startsWith('/')
      ? []
      : [{ property: 'path', reason: 'path must be absolute' }];
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const replaces = olds.path !== news.path ? ['path'] : [];
    return {
      changes: replaces.length > 0 || olds.content !== news.content,
      replaces,
      deleteBeforeReplace: true,
    };
  },
  async create(inputs) {
    const fs = require('node:fs') as typeof import('node:fs');
    fs.writeFileSync(inputs.path, inputs.content);
    return {
      id: inputs.path,
      outs: { path: inputs.path, content: inputs.content, size: inputs.content.length },
    };
  },
  async read(id) {
    const fs = require('node:fs') as typeof import('node:fs');
    const content = fs.readFileSync(id, 'utf8');
    return { id, props: { path: id, content, size: content.length } };
  },
  async update(id, _olds, news) {
    const fs = require('node:fs') as typeof import('node:fs');
    fs.writeFileSync(id, news.content);
    return { outs: { path: id, content: news.content, size: news.content.length } };
  },
  async delete(id) {
    const fs = require('node:fs') as typeof import('node:fs');
    fs.rmSync(id, { force: true });
  },
};

const failingProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    throw new Error('disk on fire: cannot create the file');
  },
  async delete() {
    throw new Error('disk on fire: cannot delete the file');
  },
};

describe('a file provider through the real dynamic-provider host', () => {
  let dir = '';
  let host: DynamicHost | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgcluster-dynhost-'));
    host = await startDynamicHost(fileProvider, { name: 'notes' });
  });
  after(async () => {
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN the host WHEN configured THEN it reports its version and that it takes no secrets', () => {
    assert.match(host!.version, /^\d+\.\d+\.\d+/);
    assert.equal(host!.acceptSecrets, false);
    assert.equal(host!.urn, 'urn:pulumi:test::pgcluster-test::pulumi-nodejs:dynamic:Resource::notes');
  });

  test('GIVEN a relative path WHEN checked THEN the failure names the property', async () => {
    const { failures } = await host!.check({}, { path: 'relative', content: 'x' });
    assert.deepEqual(failures, [{ property: 'path', reason: 'path must be absolute' }]);
  });

  test('GIVEN a file resource WHEN created, diffed, updated, read and deleted THEN the file follows', async () => {
    const path = join(dir, 'a.txt');
    const { inputs, failures } = await host!.check({}, { path, content: 'one' });
    assert.deepEqual(failures, []);

    const created = await host!.create(inputs);
    assert.equal(created.id, path);
    assert.deepEqual(created.outs, { path, content: 'one', size: 3 });
    assert.equal(readFileSync(path, 'utf8'), 'one');

    const news = { path, content: 'two!' };
    const changed = await host!.diff(created.id, created.outs, news, { oldInputs: inputs });
    assert.equal(changed.changes, true);
    assert.deepEqual(changed.replaces, []);
    const moved = await host!.diff(created.id, created.outs, { path: join(dir, 'b.txt'), content: 'one' });
    assert.deepEqual(moved.replaces, ['path']);
    assert.equal(moved.deleteBeforeReplace, true);
    const same = await host!.diff(created.id, created.outs, inputs);
    assert.equal(same.changes, false);

    const updated = await host!.update(created.id, created.outs, news, inputs);
    assert.deepEqual(updated.outs, { path, content: 'two!', size: 4 });
    assert.equal(readFileSync(path, 'utf8'), 'two!');

    const read = await host!.read(created.id, updated.outs);
    assert.deepEqual(read, { id: path, props: { path, content: 'two!', size: 4 } });

    await host!.delete(created.id, updated.outs, news);
    assert.equal(existsSync(path), false);
  });

  test('GIVEN a secret input WHEN created THEN the provider gets the plain value and the output is secret again', async () => {
    const path = join(dir, 'secret.txt');
    const { inputs } = await host!.check({}, { path, content: secret('hunter2') });
    assert.ok(inputs.content instanceof Secret, 'checked input stays secret');
    const created = await host!.create(inputs);
    assert.equal(readFileSync(path, 'utf8'), 'hunter2');
    assert.ok(created.outs.content instanceof Secret, 'output of a secret input is secret');
    assert.equal(created.outs.size, 7, 'an output with no secret input stays plain');
    assert.deepEqual(reveal(created.outs), { path, content: 'hunter2', size: 7 });
    await host!.delete(created.id, created.outs);
  });

  test('GIVEN an unknown input in a preview WHEN diffed THEN it reaches the provider; outside a preview it is refused', async () => {
    const path = join(dir, 'c.txt');
    const olds = { path, content: 'x', size: 1 };
    const diff = await host!.diff(path, olds, { path, content: UNKNOWN }, { preview: true });
    assert.equal(diff.changes, true);
    await assert.rejects(
      host!.create({ path, content: UNKNOWN }),
      /content: unknown value outside a preview/,
    );
  });
});

describe('a provider that throws, through the real dynamic-provider host', () => {
  let host: DynamicHost | undefined;
  before(async () => {
    host = await startDynamicHost(failingProvider);
  });
  after(async () => {
    await host?.stop();
  });

  test('GIVEN create throws WHEN called over gRPC THEN the error text comes back', async () => {
    await assert.rejects(host!.create({ anything: 1 }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.rpc, 'Create');
      assert.equal(error.details, 'disk on fire: cannot create the file');
      return true;
    });
  });

  test('GIVEN delete throws WHEN called over gRPC THEN the error text comes back', async () => {
    await assert.rejects(
      host!.delete('id-1', { anything: 1 }),
      /Delete failed .*disk on fire: cannot delete the file/,
    );
  });
});
