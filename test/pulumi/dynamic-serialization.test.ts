/**
 * The harness serializes a dynamic provider exactly as `pulumi.dynamic.Resource` does: the
 * `__provider` a real dynamic resource registers (seen through `setMocks`) is byte-identical, and
 * secret when the provider captured a secret.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc';
import { serializeDynamicProvider } from '../helpers/dynamic-host';
import { Secret } from '../helpers/property-values';

const registered = new Map<string, Record<string, unknown>>();

const plainProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { path: string }) {
    return { id: inputs.path, outs: inputs };
  },
};

/** A dynamic resource as a program declares one (the class is abstract). */
class Probe extends pulumi.dynamic.Resource {}

function registeredProvider(name: string, provider: pulumi.dynamic.ResourceProvider): Promise<unknown> {
  const resource = new Probe(provider, name, {});
  return new Promise((resolve) => resource.urn.apply(() => resolve(registered.get(name)?.__provider)));
}

describe('serializeDynamicProvider', () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.set(args.name, args.inputs);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      'pgcluster',
      'test',
      false,
    );
  });

  test('GIVEN a provider WHEN serialized THEN __provider is what pulumi.dynamic.Resource registers', async () => {
    const expected = await registeredProvider('plain', plainProvider);
    assert.equal(typeof expected, 'string');
    assert.equal(await serializeDynamicProvider(plainProvider), expected);
  });

  test('GIVEN a provider that captured a secret WHEN serialized THEN __provider is the same text, secret', async () => {
    const password = pulumi.secret('hunter2');
    const secretProvider: pulumi.dynamic.ResourceProvider = {
      async create() {
        return { id: 'x', outs: { password: password.get() } };
      },
    };
    const expected = (await registeredProvider('secret', secretProvider)) as Record<string, unknown>;
    assert.equal(expected[specialSigKey], specialSecretSig);
    const ours = await serializeDynamicProvider(secretProvider);
    assert.ok(ours instanceof Secret);
    assert.equal(ours.value, expected.value);
  });
});
