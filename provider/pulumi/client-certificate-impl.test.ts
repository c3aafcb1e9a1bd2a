/** ClientCertificate's input checks (no cluster needed): each refusal names the field, the value and what is allowed. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { check, diff } from './client-certificate-impl';

const base = { cluster: 'orders', user: 'alice', days: 365 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const checked = (news: Record<string, unknown>) => check({} as any, news as any);

describe('ClientCertificate check', () => {
  test('GIVEN kubernetes with a namespace (and a context, a kubeconfig) WHEN checked THEN accepted as given', async () => {
    const kubernetes = { namespace: 'db', context: 'prod', kubeconfig: 'apiVersion: v1\nkind: Config\n' };
    const r = await checked({ ...base, kubernetes });
    assert.equal(r.failures, undefined);
    assert.deepEqual(r.inputs, { ...base, kubernetes });
  });

  for (const [what, news, property, reason] of [
    [
      'stateDir and kubernetes together',
      { ...base, stateDir: '/tmp/state', kubernetes: { namespace: 'db' } },
      'stateDir',
      /^stateDir: "\/tmp\/state" is not allowed with kubernetes: .*give one$/,
    ],
    [
      'a namespace that is no DNS label',
      { ...base, kubernetes: { namespace: 'Data_Bases' } },
      'kubernetes',
      /^kubernetes\.namespace: "Data_Bases" is not allowed: a namespace name \(lower-case letters, digits and "-", at most 63\)$/,
    ],
    [
      'no namespace',
      { ...base, kubernetes: { context: 'prod' } },
      'kubernetes',
      /^kubernetes\.namespace: undefined is not allowed/,
    ],
    [
      'an unknown key',
      { ...base, kubernetes: { namespace: 'db', kubeContext: 'prod' } },
      'kubernetes',
      /^kubernetes\.kubeContext is not allowed: kubernetes takes namespace, context, kubeconfig$/,
    ],
    [
      'an empty context',
      { ...base, kubernetes: { namespace: 'db', context: '' } },
      'kubernetes',
      /^kubernetes\.context: "" is not allowed: the name of a context of the kubeconfig$/,
    ],
    [
      'kubernetes as a string',
      { ...base, kubernetes: 'db' },
      'kubernetes',
      /^kubernetes: "db" is not allowed: an object \{namespace, context\?, kubeconfig\?\}$/,
    ],
  ] as const)
    test(`GIVEN ${what} WHEN checked THEN refused naming ${property}`, async () => {
      const { failures } = await checked(news);
      assert.equal(failures?.length, 1, JSON.stringify(failures));
      assert.equal(failures![0]!.property, property);
      assert.match(failures![0]!.reason, reason);
    });

  test('GIVEN a kubeconfig that is not text WHEN checked THEN refused without echoing the value (a secret)', async () => {
    const { failures } = await checked({ ...base, kubernetes: { namespace: 'db', kubeconfig: ' \n' } });
    assert.deepEqual(failures, [
      {
        property: 'kubernetes',
        reason:
          'kubernetes.kubeconfig is not allowed: the text of a kubeconfig (absent: the default kubeconfig)',
      },
    ]);
  });

  test('GIVEN an issued certificate WHEN kubernetes changes THEN it is replaced; unchanged THEN no change', async () => {
    const olds = {
      ...base,
      kubernetes: { namespace: 'db' },
      certificate: '',
      privateKey: '',
      ca: '',
      notAfter: '',
    };
    assert.equal((await diff('id', olds, { ...base, kubernetes: { namespace: 'db' } })).changes, false);
    assert.deepEqual((await diff('id', olds, { ...base, kubernetes: { namespace: 'other' } })).replaces, [
      'kubernetes',
    ]);
    assert.deepEqual((await diff('id', olds, base)).replaces, ['kubernetes']);
  });
});
