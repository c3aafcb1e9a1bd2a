/**
 * The kubernetes scale-down guard (beforeScaleDown), run for real against a local cluster reached
 * through an explicit endpoint (the port-forward path minus the Kubernetes API): with the primary on
 * the highest ordinal, lowering instances switches over to a member that stays before the
 * StatefulSet would delete the primary's pod. Ports 21800-21860.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSecrets, type StoredSecrets } from '../../provider/platform/local/state';
import { cli, cliOk, tempStateDir } from '../helpers/cli';
import { writeSpec } from '../helpers/spec-file';
import { statusOf } from '../helpers/pg';
import { beforeScaleDown } from '../../provider/pulumi/scale-guard-impl';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';

/**
 * What the -rw Service is on Kubernetes: each new connection goes to the member whose Patroni
 * answers 200 on /primary (the pod labelled primary).
 */
function rwProxy(
  apiPort: (i: number) => number,
  pgPort: (i: number) => number,
  members: number,
): Promise<Server> {
  const server = createServer(async (socket) => {
    socket.on('error', () => undefined);
    for (let i = 0; i < members; i++) {
      const res = await fetch(`http://127.0.0.1:${apiPort(i)}/primary`).catch(() => undefined);
      if (res?.status === 200) {
        const upstream = connect(pgPort(i), '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        socket.pipe(upstream).pipe(socket);
        return;
      }
    }
    socket.destroy();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const NAME = 'guard';
const BASE = 21800;

describe('scale-down guard against a real cluster', () => {
  const state = tempStateDir('scale-guard');
  let secrets: StoredSecrets;
  let proxy: Server | undefined;

  before(async () => {
    proxy = await rwProxy(
      (i) => BASE + 41 + i,
      (i) => BASE + 11 + i,
      3,
    );
    await cliOk(state.dir, [
      'up',
      '-f',
      // Plain HTTP for Patroni, as the patroniUrls below (the Kubernetes REST API's scheme today).
      writeSpec(state.dir, {
        name: NAME,
        instances: 3,
        platform: { local: { basePort: BASE } },
        tls: { enabled: false },
      }),
    ]);
    secrets = readSecrets(join(state.dir, NAME, 'secrets.json'))!;
  });

  after(async () => {
    proxy?.close();
    await cli(state.dir, ['destroy', NAME]);
    state.cleanup();
  });

  const inputs = (instances: number) => ({
    spec: {
      name: NAME,
      instances,
      tls: { enabled: false },
      platform: {
        kubernetes: {
          namespace: 'db',
          endpoint: {
            patroniUrls: Array.from({ length: 3 }, (_, i) => `http://127.0.0.1:${BASE + 41 + i}`),
            host: '127.0.0.1',
            port: (proxy!.address() as AddressInfo).port,
          },
        },
      },
    },
    superuserPassword: secrets.superuserPassword!,
    appPassword: secrets.appPassword,
    appVerifier: secrets.appVerifier,
  });

  test('GIVEN the primary on a kept ordinal WHEN instances 3 -> 2 THEN nothing moves', async () => {
    await cliOk(state.dir, ['switchover', NAME, '--to', `${NAME}-1`]);
    const step = await beforeScaleDown(inputs(3), inputs(2));
    assert.deepEqual(step, { kind: 'none', why: `the primary ${NAME}-1 stays` });
    assert.equal((await statusOf(state.dir, NAME)).primary, `${NAME}-1`);
  });

  test('GIVEN the primary on ordinal 3 WHEN instances 3 -> 2 THEN it is switched over to a member that stays first', async () => {
    await cliOk(state.dir, ['switchover', NAME, '--to', `${NAME}-3`]);
    assert.equal((await statusOf(state.dir, NAME)).primary, `${NAME}-3`);
    const step = await beforeScaleDown(inputs(3), inputs(2));
    assert.equal(step.kind, 'switchover');
    const status = await statusOf(state.dir, NAME);
    assert.ok([`${NAME}-1`, `${NAME}-2`].includes(status.primary!), `primary is ${status.primary}`);
    assert.equal(status.members.find((m) => m.name === `${NAME}-3`)?.role, 'replica');
  });

  test('GIVEN more instances WHEN the guard runs THEN it does nothing', async () => {
    assert.deepEqual(await beforeScaleDown(inputs(2), inputs(3)), {
      kind: 'none',
      why: 'no member is removed',
    });
  });
});
