import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSpecSchema, parseSpec, parseSpecText, SpecError, type ClusterSpec } from './index';
import { NOT_YET_SUPPORTED } from './later';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const DEFAULTS: ClusterSpec = {
  name: 'orders',
  instances: 3,
  postgresVersion: 15,
  platform: { local: { basePort: 15400, peerWatch: true, allowedNetworks: [], keeper: true } },
  parameters: {},
  pgHba: [],
  ha: { ttl: 20, loopWait: 1, retryTimeout: 3, maximumLagOnFailover: 1048576 },
  bootstrap: {
    initdb: { database: 'app', owner: 'app', encoding: 'UTF8', locale: 'C.UTF-8', dataChecksums: true },
  },
  pooler: {
    enabled: true,
    poolMode: 'session',
    maxClientConn: 1000,
    defaultPoolSize: 20,
    pauseTimeout: 10,
    carrySessions: true,
    parameters: {},
  },
  roles: [],
  databases: [],
  grants: [],
  fenced: [],
  hibernate: false,
  maintenance: false,
  primaryUpdateStrategy: 'unsupervised',
  removedMemberData: 'keep',
  tls: {
    enabled: true,
    required: false,
    ca: 'generated',
    server: 'generated',
    clientAuth: { replication: 'cert', users: [] },
    minVersion: 'TLSv1.2',
    days: 365,
    renewBeforeDays: 30,
  },
};

describe('parseSpec defaults', () => {
  test('GIVEN only a name WHEN parsed THEN every default is filled in', () => {
    assert.deepEqual(parseSpec({ name: 'orders' }), DEFAULTS);
  });

  test('GIVEN empty nested objects WHEN parsed THEN their defaults are filled in', () => {
    const spec = parseSpec({
      name: 'orders',
      platform: { local: {} },
      ha: {},
      bootstrap: { initdb: {} },
      pooler: {},
    });
    assert.deepEqual(spec, DEFAULTS);
  });

  test('GIVEN explicit values WHEN parsed THEN they are kept', () => {
    const spec = parseSpec({
      name: 'orders',
      instances: 5,
      platform: { local: { basePort: 20000 } },
      synchronous: { number: 2 },
      ha: { ttl: 30, loopWait: 10, retryTimeout: 10 },
      pooler: { poolMode: 'transaction' },
    });
    assert.equal(spec.instances, 5);
    assert.equal(spec.platform.local?.basePort, 20000);
    assert.deepEqual(spec.synchronous, { number: 2, dataDurability: 'required', method: 'any' });
    assert.deepEqual(spec.ha, { ttl: 30, loopWait: 10, retryTimeout: 10, maximumLagOnFailover: 1048576 });
    assert.equal(spec.pooler.poolMode, 'transaction');
  });
});

const base = { name: 'orders' };

/** Edge values that must be accepted. */
const ACCEPTED: ReadonlyArray<{ given: string; input: object }> = [
  { given: 'a one-letter name', input: { name: 'a' } },
  { given: 'a 50-character name', input: { name: 'a'.repeat(50) } },
  { given: 'a single instance without synchronous', input: { ...base, instances: 1 } },
  {
    given: 'synchronous.number = instances - 1',
    input: { ...base, instances: 3, synchronous: { number: 2 } },
  },
  {
    given: 'ttl exactly loopWait + 2 x retryTimeout',
    input: { ...base, ha: { ttl: 26, loopWait: 2, retryTimeout: 12 } },
  },
  {
    given: "Patroni 4's minimums: ttl 20, loopWait 1, retryTimeout 3",
    input: { ...base, ha: { ttl: 20, loopWait: 1, retryTimeout: 3 } },
  },
  { given: 'a 63-byte initdb.owner', input: { ...base, bootstrap: { initdb: { owner: 'o'.repeat(63) } } } },
  { given: 'primary naming a member', input: { ...base, primary: 'orders-3' } },
  {
    given: 'a mixed-case parameter pgcluster does not own',
    input: { ...base, parameters: { Work_Mem: '8MB' } },
  },
  // Object.prototype members must not be mistaken for owned settings.
  { given: 'a parameter named constructor', input: { ...base, parameters: { constructor: 'x' } } },
  {
    given: 'a pooler parameter named constructor',
    input: { ...base, pooler: { parameters: { constructor: 1 } } },
  },
];

describe('parseSpec accepts edge values', () => {
  for (const { given, input } of ACCEPTED) {
    test(`GIVEN ${given} WHEN parsed THEN it is accepted`, () => {
      assert.doesNotThrow(() => parseSpec(input));
    });
  }
});

/** Top-level keys the schema declares for a later version. */
const LATER_KEYS = Object.entries(clusterSpecSchema.shape)
  .filter(([, schema]) => schema.description?.startsWith(NOT_YET_SUPPORTED))
  .map(([key]) => key);

describe('parseSpec refuses what this version cannot honour', () => {
  test('GIVEN the schema WHEN listing keys declared for later THEN replica is no longer one (it is implemented)', () => {
    assert.ok(!LATER_KEYS.includes('replica'), `replica should not be declared as ${NOT_YET_SUPPORTED}`);
  });

  for (const key of LATER_KEYS) {
    test(`GIVEN the not-yet-supported key ${key} WHEN parsed THEN it is refused, not ignored`, () => {
      assertIssue(
        issuesOf(() => parseSpec({ ...base, [key]: { anything: true } })),
        key,
        [NOT_YET_SUPPORTED, 'remove the key'],
      );
    });
  }

  test('GIVEN several schema problems WHEN parsed THEN all of them are reported together', () => {
    const issues = issuesOf(() => parseSpec({ ...base, instances: 0, pooler: { poolMode: 'x' }, bogus: 1 }));
    assert.deepEqual(issues.map((i) => i.path).sort(), ['bogus', 'instances', 'pooler.poolMode']);
  });

  test('GIVEN several rule violations WHEN parsed THEN all of them are reported together', () => {
    const issues = issuesOf(() =>
      parseSpec({ name: 'Orders', parameters: { port: 5 }, replica: { source: { cluster: 'Bad' } } }),
    );
    assert.deepEqual(issues.map((i) => i.path).sort(), ['name', 'parameters.port', 'replica.source.cluster']);
  });

  test('GIVEN a source WHEN a spec is refused THEN the error message names the source and every issue', () => {
    assert.throws(
      () => parseSpec({ name: 'Orders', instances: 3, synchronous: { number: 3 } }, 'cluster.yaml'),
      (e: unknown) => {
        assert.ok(e instanceof SpecError);
        assert.match(e.message, /^invalid cluster spec in cluster\.yaml:\n/);
        assert.match(e.message, /\n {2}- name: "Orders" is not allowed/);
        assert.match(e.message, /\n {2}- synchronous\.number: 3 must be < instances \(3\)/);
        return true;
      },
    );
  });
});

describe('parseSpecText', () => {
  test('GIVEN YAML text WHEN parsed THEN it equals parsing the same object', () => {
    const text = 'name: orders\ninstances: 3\nsynchronous:\n  number: 1\nparameters:\n  work_mem: 8MB\n';
    const expected = parseSpec({
      name: 'orders',
      instances: 3,
      synchronous: { number: 1 },
      parameters: { work_mem: '8MB' },
    });
    assert.deepEqual(parseSpecText(text), expected);
  });

  test('GIVEN JSON text WHEN parsed THEN it is accepted (JSON is YAML)', () => {
    assert.deepEqual(
      parseSpecText('{"name": "orders", "instances": 2}'),
      parseSpec({ name: 'orders', instances: 2 }),
    );
  });

  const BAD_TEXT: ReadonlyArray<{ given: string; text: string; path: string; says: string[] }> = [
    {
      given: 'a duplicate key',
      text: 'name: a\nname: b\n',
      path: '(file)',
      says: ['not valid YAML or JSON', 'unique', 'line 2'],
    },
    {
      given: 'a syntax error',
      text: 'name: [orders\n',
      path: '(file)',
      says: ['not valid YAML or JSON', 'this [ is never closed', 'line 1, column 7', '1 | name: [orders'],
    },
    { given: 'a list instead of a mapping', text: '- orders\n', path: '(spec)', says: ['expected object'] },
    { given: 'an empty file', text: '', path: '(spec)', says: ['null is not allowed', 'expected object'] },
    {
      given: 'an unknown key',
      text: 'name: orders\nprimay: orders-2\n',
      path: 'primay',
      says: ['did you mean "primary"'],
    },
  ];
  for (const { given, text, path, says } of BAD_TEXT) {
    test(`GIVEN text with ${given} WHEN parsed THEN ${path} is refused`, () => {
      assertIssue(
        issuesOf(() => parseSpecText(text, 'cluster.yaml')),
        path,
        says,
      );
    });
  }
});
