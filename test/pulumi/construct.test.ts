/**
 * The plugin's `construct` under `pulumi.runtime.setMocks`: it builds the PostgresCluster
 * component (asserted on the component only, so the test holds as children are added) and refuses
 * invalid inputs with an error naming the field.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { PgclusterProvider } from '../../provider/cmd/provider';
import { POSTGRES_CLUSTER_TYPE } from '../../provider/pulumi/component';
import { COMPONENT_TOKEN } from '../../provider/schema/pgcluster';

const registered: pulumi.runtime.MockResourceArgs[] = [];

function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
}

describe('PgclusterProvider.construct under mocks', () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args);
          return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      'pgcluster',
      'test',
      false,
    );
  });

  test('GIVEN the component token THEN it is the one schema.json declares', () => {
    assert.equal(POSTGRES_CLUSTER_TYPE, COMPONENT_TOKEN);
  });

  test('GIVEN valid inputs WHEN constructed THEN a PostgresCluster component is registered under that URN', async () => {
    const provider = new PgclusterProvider();
    const result = await provider.construct(
      'orders',
      COMPONENT_TOKEN,
      { name: 'orders', instances: 3, platform: { local: { basePort: 21500 } } },
      {},
    );
    const urn = await valueOf(result.urn);
    assert.equal(urn, `urn:pulumi:test::pgcluster::${COMPONENT_TOKEN}::orders`);
    const component = registered.find((r) => r.type === COMPONENT_TOKEN && r.name === 'orders');
    assert.ok(component, `no ${COMPONENT_TOKEN} registered: ${registered.map((r) => r.type).join(', ')}`);
    assert.equal(component.custom, false);
    assert.deepEqual(Object.keys(result.state).sort(), [
      'adminConnection',
      'appSecretName',
      'connectionUri',
      'endpoints',
      'primary',
      'readOnly',
      'replicationSource',
      'superuserSecretName',
    ]);
  });

  test('GIVEN another type token WHEN constructed THEN it is refused naming the token', async () => {
    await assert.rejects(
      new PgclusterProvider().construct('x', 'pgcluster:index:Other', {}, {}),
      /unknown resource type pgcluster:index:Other/,
    );
  });

  test('GIVEN instances 0 WHEN constructed THEN it is refused with an error naming instances', async () => {
    const provider = new PgclusterProvider();
    await assert.rejects(
      (async () => {
        const result = await provider.construct('bad', COMPONENT_TOKEN, { name: 'bad', instances: 0 }, {});
        await valueOf(result.urn);
      })(),
      (error: Error) => {
        assert.match(error.message, /instances/);
        return true;
      },
    );
  });
});
