import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { podDisruptionBudget } from './pod-disruption-budget';
import { unknownValues, checkStack, type FakeResource } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

const { unknownNumberValue, unknownObjectValue } = unknownValues;

const PDB = 'kubernetes:policy/v1:PodDisruptionBudget';
const withoutPdb = (resources: FakeResource[]) => resources.filter((r) => r.type !== PDB);
const pdbOf = (resources: FakeResource[]) => resources.find((r) => r.type === PDB) as FakeResource;

function withPdbSpec(resources: FakeResource[], spec: Record<string, unknown>): FakeResource[] {
  const pdb = pdbOf(resources);
  return [...withoutPdb(resources), { ...pdb, props: { ...pdb.props, spec } }];
}

describe('policy pgcluster-pod-disruption-budget', () => {
  test('GIVEN a captured kubernetes cluster (pgcluster creates its PDB) WHEN the stack is checked THEN no violation', async () => {
    assert.deepEqual(
      await checkStack(
        podDisruptionBudget,
        await captureCluster({ platform: { kubernetes: { namespace: 'db' } } }),
      ),
      [],
    );
  });

  test('GIVEN the same stack without the PDB WHEN checked THEN the cluster, namespace and pod labels are named, on the StatefulSet', async () => {
    const resources = withoutPdb(await captureCluster({ platform: { kubernetes: { namespace: 'db' } } }));
    const violations = await checkStack(podDisruptionBudget, resources);
    assert.equal(violations.length, 1);
    assert.match(
      violations[0]?.message ?? '',
      /^PostgresCluster orders: no PodDisruptionBudget in namespace db selects its member pods \(labels \{.*"cluster-name":"orders".*\}\); required: a PodDisruptionBudget with maxUnavailable or minAvailable whose selector matches them\.$/,
    );
    assert.match(
      violations[0]?.urn ?? '',
      /PostgresCluster\$kubernetes:apps\/v1:StatefulSet::orders-members$/,
    );
  });

  const variants: Array<[string, (r: FakeResource[]) => FakeResource[], number]> = [
    [
      'a PDB in another namespace',
      (r) => {
        const pdb = pdbOf(r);
        const metadata = { ...(pdb.props.metadata as object), namespace: 'other' };
        return [...withoutPdb(r), { ...pdb, props: { ...pdb.props, metadata } }];
      },
      1,
    ],
    [
      'a PDB without a budget',
      (r) => withPdbSpec(r, { selector: { matchLabels: { 'cluster-name': 'orders' } } }),
      1,
    ],
    [
      'a PDB selecting other pods',
      (r) => withPdbSpec(r, { maxUnavailable: 1, selector: { matchLabels: { app: 'x' } } }),
      1,
    ],
    ['a PDB with an empty selector', (r) => withPdbSpec(r, { maxUnavailable: 1, selector: {} }), 1],
    [
      'a minAvailable PDB by expression',
      (r) =>
        withPdbSpec(r, {
          minAvailable: 2,
          selector: { matchExpressions: [{ key: 'cluster-name', operator: 'In', values: ['orders'] }] },
        }),
      0,
    ],
    [
      'a PDB whose budget is unknown in preview',
      (r) =>
        withPdbSpec(r, {
          maxUnavailable: unknownNumberValue,
          selector: { matchLabels: { 'cluster-name': 'orders' } },
        }),
      0,
    ],
    [
      'a PDB whose spec is unknown in preview',
      (r) => withPdbSpec(r, unknownObjectValue as unknown as Record<string, unknown>),
      0,
    ],
  ];
  for (const [what, change, expected] of variants)
    test(`GIVEN ${what} WHEN the stack is checked THEN ${expected} violation(s)`, async () => {
      const resources = change(await captureCluster({ platform: { kubernetes: { namespace: 'db' } } }));
      assert.equal((await checkStack(podDisruptionBudget, resources)).length, expected);
    });

  test('GIVEN a local-platform cluster WHEN the stack is checked THEN nothing applies', async () => {
    assert.deepEqual(
      await checkStack(podDisruptionBudget, await captureCluster({ platform: { local: {} } })),
      [],
    );
  });
});
