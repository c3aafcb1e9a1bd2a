/**
 * The provider plugin as the engine meets it: the built `bin/pulumi-resource-pgcluster` started as
 * a process, its port read from stdout, GetPluginInfo and GetSchema called over gRPC with the
 * stubs @pulumi/pulumi ships. Needs `npm run build` first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ResourceProviderClient } from '@pulumi/pulumi/proto/provider_grpc_pb';
import { GetSchemaRequest, type GetSchemaResponse } from '@pulumi/pulumi/proto/provider_pb';
import type { PluginInfo } from '@pulumi/pulumi/proto/plugin_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { startPluginProcess, type PluginProcess } from '../helpers/plugin-process';
import { unary } from '../helpers/grpc-call';

const ROOT = resolve(__dirname, '..', '..');
const PLUGIN = join(ROOT, 'bin', 'pulumi-resource-pgcluster');
const BUILT_MAIN = join(ROOT, 'dist', 'cmd', 'main.js');

describe('the provider plugin over gRPC', () => {
  let plugin: PluginProcess | undefined;
  let client: ResourceProviderClient | undefined;

  before(async () => {
    assert.ok(existsSync(BUILT_MAIN), `${BUILT_MAIN} is missing: run \`npm run build\` first`);
    // Executed directly, as the engine does: the launcher's shebang finds this node on PATH.
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    plugin = await startPluginProcess(PLUGIN, [], { cwd: ROOT, env: { ...process.env, PATH: path } });
    client = new ResourceProviderClient(plugin.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await plugin?.stop();
  });

  test('GIVEN the plugin WHEN GetPluginInfo is called THEN it reports the package version', async () => {
    const info = await unary<PluginInfo>('GetPluginInfo', (cb) => client!.getPluginInfo(new Empty(), cb));
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(info.getVersion(), version);
  });

  test('GIVEN the plugin WHEN GetSchema is called THEN it returns schema.json byte for byte', async () => {
    const response = await unary<GetSchemaResponse>('GetSchema', (cb) =>
      client!.getSchema(new GetSchemaRequest(), cb),
    );
    const onDisk = readFileSync(join(ROOT, 'schema.json'));
    assert.ok(Buffer.from(response.getSchema(), 'utf8').equals(onDisk), 'GetSchema differs from schema.json');
    assert.equal(JSON.parse(response.getSchema()).name, 'pgcluster');
  });

  test('GIVEN the plugin WHEN GetSchema asks for an unknown schema version THEN it is refused', async () => {
    await assert.rejects(
      unary<GetSchemaResponse>('GetSchema', (cb) =>
        client!.getSchema(new GetSchemaRequest().setVersion(7), cb),
      ),
      /unsupported schema version 7/,
    );
  });
});
