/**
 * The kubernetes readiness logic (waitReady: platform-neutral health + bootstrap objects), run for
 * real against a local cluster reached through an explicit endpoint — the same code path as the
 * port-forward, minus the Kubernetes API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSecrets, type StoredSecrets } from '../../provider/platform/local/state';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { statusOf } from '../helpers/pg';
import { waitReady } from '../../provider/pulumi/readiness-impl';

const NAME = 'ready';
const BASE = 21400;

describe('readiness (waitReady) against a real cluster', () => {
  const state = tempStateDir('ready');
  let secrets: StoredSecrets;
  let primaryPort = 0;

  before(async () => {
    await cliOk(state.dir, [
      'up',
      '-f',
      // Plain HTTP for Patroni, as the patroniUrls below (the Kubernetes REST API's scheme today).
      writeSpec(state.dir, {
        name: NAME,
        instances: 2,
        platform: { local: { basePort: BASE } },
        tls: { enabled: false },
      }),
    ]);
    secrets = readSecrets(join(state.dir, NAME, 'secrets.json'))!;
    const status = await statusOf(state.dir, NAME);
    primaryPort = status.members.find((m) => m.role === 'primary')!.port;
  });

  after(async () => {
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  const kubernetesSpec = (instances: number) => ({
    name: NAME,
    instances,
    tls: { enabled: false },
    platform: {
      kubernetes: {
        namespace: 'db',
        endpoint: {
          patroniUrls: Array.from({ length: instances }, (_, i) => `http://127.0.0.1:${BASE + 41 + i}`),
          host: '127.0.0.1',
          port: primaryPort,
        },
      },
    },
  });

  test('GIVEN a healthy cluster WHEN waitReady THEN it reports the primary and ensures the app objects', async () => {
    const result = await waitReady({
      spec: kubernetesSpec(2),
      superuserPassword: secrets.superuserPassword!,
      appPassword: secrets.appPassword,
      appVerifier: secrets.appVerifier,
    });
    const status = await statusOf(state.dir, NAME);
    assert.equal(result.primary, status.primary);
    assert.deepEqual(result.members, ['ready-1', 'ready-2']);
  });

  test('GIVEN a member that never comes WHEN waitReady THEN it times out listing each member state', async () => {
    await assert.rejects(
      waitReady(
        {
          spec: kubernetesSpec(3),
          superuserPassword: secrets.superuserPassword!,
          appPassword: secrets.appPassword,
          appVerifier: secrets.appVerifier,
        },
        3000,
      ),
      /cluster ready not healthy after 3 s:\n {2}- ready-3: not registered in the DCS yet/,
    );
  });
});
