import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterSpec } from '../../provider/spec/cluster';
import { parseSpec } from '../../provider/spec/parse';
import { TYPES } from '../../provider/naming';
import { POSTGRES_CLUSTER_TYPE, SPEC_CARRIER_TYPES, specOf, specsOf, type ClusterSpecView } from './spec';

// Compile-time contract: the package's validated spec is readable as the view the policies use.
// Renaming or retyping a key the policies read breaks `npm run typecheck` here.
const asView = (spec: ClusterSpec): ClusterSpecView => spec;

describe('policy cluster specs', () => {
  test('GIVEN the package naming module WHEN compared THEN the pack looks for the right type tokens', () => {
    assert.deepEqual(
      [...SPEC_CARRIER_TYPES],
      [TYPES.localCluster, TYPES.clusterReady].map(
        (t) => `pulumi-nodejs:dynamic/${TYPES.dynamicModule}:${t}`,
      ),
    );
    assert.equal(POSTGRES_CLUSTER_TYPE, TYPES.postgresCluster);
  });

  test('GIVEN a spec with defaults filled in WHEN read through the view THEN the keys the policies use are there', () => {
    const view = asView(parseSpec({ name: 'orders' }));
    assert.equal(view.instances, 3);
    assert.equal(view.pooler.enabled, true);
    assert.deepEqual(view.roles, []);
    assert.equal(view.synchronous, undefined);
  });

  test('GIVEN resources WHEN specs are collected THEN only the carriers with an object spec count', () => {
    const spec = { name: 'a' };
    const found = specsOf([
      { type: SPEC_CARRIER_TYPES[0], urn: 'u1', props: { spec } },
      { type: SPEC_CARRIER_TYPES[1], urn: 'u2', props: {} },
      { type: 'kubernetes:apps/v1:StatefulSet', urn: 'u3', props: { spec } },
    ]);
    assert.deepEqual(found, [{ spec, urn: 'u1' }]);
    assert.equal(specOf({ type: SPEC_CARRIER_TYPES[1], urn: 'u', props: { spec: 'x' } }), undefined);
  });
});
