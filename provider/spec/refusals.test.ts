import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNED_PARAMETERS, OWNED_POOLER_SETTINGS, parseSpec } from './index';
import { notApplicable } from './rules';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

const base = { name: 'orders' };

interface Refusal {
  given: string;
  input: unknown;
  path: string;
  /** Fragments the message must contain: the bad value and what is allowed. */
  says: readonly string[];
}

const ALLOWED_TOP = 'allowed keys here: name, instances, postgresVersion';
const REFUSED: Refusal[] = [
  {
    given: 'a storage.size that is no whole storage quantity',
    input: { ...base, platform: { kubernetes: {} }, storage: { size: '1.5Gi' } },
    path: 'storage.size',
    says: ['"1.5Gi"', 'a volume size is a whole number of bytes or of Ki, Mi, Gi', 'above zero'],
  },
  {
    given: 'a storage.walSize of zero',
    input: { ...base, platform: { kubernetes: {} }, storage: { size: '1Gi', walSize: '0Gi' } },
    path: 'storage.walSize',
    says: ['"0Gi"', 'above zero'],
  },
  {
    given: 'a mistyped top-level key',
    input: { ...base, instanses: 3 },
    path: 'instanses',
    says: ['unknown key', 'did you mean "instances"', ALLOWED_TOP],
  },
  {
    given: 'an unknown top-level key far from any known one',
    input: { ...base, zzzzzz: 1 },
    path: 'zzzzzz',
    says: ['unknown key; allowed', ALLOWED_TOP],
  },
  {
    given: 'platform.local.basePrt',
    input: { ...base, platform: { local: { basePrt: 15500 } } },
    path: 'platform.local.basePrt',
    says: ['did you mean "basePort"', 'allowed keys here: basePort'],
  },
  {
    given: 'ha.loopwait (wrong case)',
    input: { ...base, ha: { loopwait: 1 } },
    path: 'ha.loopwait',
    says: ['did you mean "loopWait"'],
  },
  {
    given: 'bootstrap.initdb.ownr',
    input: { ...base, bootstrap: { initdb: { ownr: 'x' } } },
    path: 'bootstrap.initdb.ownr',
    says: ['did you mean "owner"'],
  },
  { given: 'no name', input: {}, path: 'name', says: ['is required'] },
  {
    given: 'a spec that is not an object',
    input: ['orders'],
    path: '(spec)',
    says: ['["orders"] is not allowed', 'expected object'],
  },
  {
    given: 'instances 0',
    input: { ...base, instances: 0 },
    path: 'instances',
    says: ['0 is not allowed', 'must be >= 1'],
  },
  {
    given: 'instances 1.5',
    input: { ...base, instances: 1.5 },
    path: 'instances',
    says: ['1.5 is not allowed', 'an integer'],
  },
  {
    given: 'instances "3" (a string)',
    input: { ...base, instances: '3' },
    path: 'instances',
    says: ['"3" is not allowed', 'expected number'],
  },
  {
    given: 'instances 21 on platform.local',
    input: { ...base, instances: 21 },
    path: 'instances',
    says: ['21 is not allowed on platform.local', 'at most 20'],
  },
  {
    given: 'an uppercase name',
    input: { name: 'Orders' },
    path: 'name',
    says: ['"Orders" is not allowed', 'DNS-1035', 'lowercase'],
  },
  {
    given: 'a 51-character name',
    input: { name: 'a'.repeat(51) },
    path: 'name',
    says: [`"${'a'.repeat(51)}"`, 'at most 50 characters'],
  },
  {
    given: 'a name ending with "-"',
    input: { name: 'orders-' },
    path: 'name',
    says: ['"orders-" is not allowed', 'not ending with "-"'],
  },
  {
    given: 'a name starting with a digit',
    input: { name: '1orders' },
    path: 'name',
    says: ['"1orders"', 'starting with a letter'],
  },
  {
    given: 'postgresVersion 12',
    input: { ...base, postgresVersion: 12 },
    path: 'postgresVersion',
    says: ['12 is not allowed', 'one of 13, 14, 15, 16, 17'],
  },
  {
    given: 'synchronous.number = instances',
    input: { ...base, instances: 3, synchronous: { number: 3 } },
    path: 'synchronous.number',
    says: ['3 must be < instances (3)'],
  },
  {
    given: 'an unknown dataDurability',
    input: { ...base, synchronous: { dataDurability: 'maybe' } },
    path: 'synchronous.dataDurability',
    says: ['"maybe" is not allowed', '"required", "preferred"'],
  },
  {
    given: 'loopWait + 2 x retryTimeout > ttl',
    input: { ...base, ha: { ttl: 20, loopWait: 5, retryTimeout: 8 } },
    path: 'ha.ttl',
    says: ['20 is not allowed', 'loopWait + 2 x retryTimeout <= ttl', '5 + 2 x 8 = 21'],
  },
  {
    given: "ha.ttl 5, below Patroni 4's minimum",
    input: { ...base, ha: { ttl: 5 } },
    path: 'ha.ttl',
    says: ['5 is not allowed', '>= 20'],
  },
  {
    given: "ha.retryTimeout 2, below Patroni 4's minimum",
    input: { ...base, ha: { retryTimeout: 2 } },
    path: 'ha.retryTimeout',
    says: ['2 is not allowed', '>= 3'],
  },
  {
    given: 'a platform with neither local nor kubernetes',
    input: { ...base, platform: {} },
    path: 'platform',
    says: ['{} is not allowed', 'exactly one of local, kubernetes'],
  },
  {
    given: 'a platform with both local and kubernetes',
    input: { ...base, platform: { local: {}, kubernetes: {} } },
    path: 'platform',
    says: ['"kubernetes"', 'exactly one of local, kubernetes'],
  },
  {
    given: 'resources on the local platform',
    input: { ...base, resources: { requests: { cpu: '1' } } },
    path: 'resources',
    says: ['applies to platform.kubernetes only'],
  },
  {
    given: 'basePort 80',
    input: { ...base, platform: { local: { basePort: 80 } } },
    path: 'platform.local.basePort',
    says: ['80 is not allowed', '>= 1024'],
  },
  {
    given: 'basePort 40000',
    input: { ...base, platform: { local: { basePort: 40000 } } },
    path: 'platform.local.basePort',
    says: ['40000 is not allowed', '<= 32700'],
  },
  {
    given: 'two bootstrap methods',
    input: { ...base, bootstrap: { initdb: {}, recovery: { source: { cluster: 'old' } } } },
    path: 'bootstrap',
    says: ['exactly one of initdb, pgBasebackup, recovery'],
  },
  {
    given: 'an empty bootstrap',
    input: { ...base, bootstrap: {} },
    path: 'bootstrap',
    says: ['{} is not allowed', 'exactly one of initdb, pgBasebackup, recovery'],
  },
  {
    given: 'a YAML null parameter value',
    input: { ...base, parameters: { work_mem: null } },
    path: 'parameters.work_mem',
    says: ['null is not allowed', 'string', 'number', 'boolean'],
  },
  {
    given: 'a newline in a parameter value',
    input: { ...base, parameters: { log_line_prefix: 'a\nb' } },
    path: 'parameters.log_line_prefix',
    says: ['"a\\nb" is not allowed', 'newlines'],
  },
  {
    given: 'a CR in a pooler parameter value',
    input: { ...base, pooler: { parameters: { server_reset_query: 'x\r' } } },
    path: 'pooler.parameters.server_reset_query',
    says: ['"x\\r" is not allowed', 'newlines'],
  },
  {
    given: 'a newline in a pgHba line',
    input: {
      ...base,
      pgHba: ['host all all 10.0.0.0/8 scram-sha-256', 'local all all trust\nhost all all all trust'],
    },
    path: 'pgHba[1]',
    says: ['"local all all trust\\nhost all all all trust" is not allowed', 'newlines'],
  },
  {
    given: 'an unknown pool mode',
    input: { ...base, pooler: { poolMode: 'bogus' } },
    path: 'pooler.poolMode',
    says: ['"bogus" is not allowed', '"session", "transaction", "statement"'],
  },
  {
    given: 'a 64-byte initdb.owner',
    input: { ...base, bootstrap: { initdb: { owner: 'o'.repeat(64) } } },
    path: 'bootstrap.initdb.owner',
    says: [`"${'o'.repeat(64)}"`, 'at most 63 bytes', 'this one is 64'],
  },
  {
    given: 'a 32-character, 64-byte initdb.owner',
    input: { ...base, bootstrap: { initdb: { owner: 'é'.repeat(32) } } },
    path: 'bootstrap.initdb.owner',
    says: ['at most 63 bytes', 'this one is 64'],
  },
  {
    given: 'an empty initdb.database',
    input: { ...base, bootstrap: { initdb: { database: '' } } },
    path: 'bootstrap.initdb.database',
    says: ['"" is not allowed', 'must not be empty'],
  },
  {
    given: 'a newline in initdb.owner',
    input: { ...base, bootstrap: { initdb: { owner: 'a\nb' } } },
    path: 'bootstrap.initdb.owner',
    says: ['"a\\nb"', 'NUL or newlines'],
  },
  ...['other-1', 'orders-0', 'orders-x', 'orders-01', 'orders-21', 'orders'].map((primary) => ({
    given: `primary "${primary}"`,
    input: { ...base, primary },
    path: 'primary',
    says: [`"${primary}" is not allowed`, 'a member name of this cluster, "orders-<n>"'],
  })),
  ...['other-1', 'orders-0', 'orders-4', 'orders'].map((member) => ({
    given: `fenced ["${member}"] of a 3-member cluster`,
    input: { ...base, fenced: [member] },
    path: 'fenced[0]',
    says: [`"${member}" is not allowed`, 'orders-1 .. orders-3'],
  })),
  {
    given: 'a member fenced twice',
    input: { ...base, fenced: ['orders-2', 'orders-2'] },
    path: 'fenced[1]',
    says: ['"orders-2" is listed twice'],
  },
  {
    given: 'the desired primary fenced',
    input: { ...base, primary: 'orders-2', fenced: ['orders-2'] },
    path: 'fenced[0]',
    says: ['also the desired primary'],
  },
  {
    given: 'fencing that leaves fewer than synchronous.number + 1 members',
    input: { ...base, synchronous: { number: 1 }, fenced: ['orders-2', 'orders-3'] },
    path: 'fenced',
    says: ['2 fenced of 3 is not allowed', 'at least 2 member(s) must stay unfenced'],
  },
  {
    given: 'pooler.instances 2 on the local platform',
    input: { ...base, pooler: { instances: 2 } },
    path: 'pooler.instances',
    says: ['2 is not allowed on platform.local', 'one PgBouncer process'],
  },
  {
    given: 'primaryUpdateStrategy manual',
    input: { ...base, primaryUpdateStrategy: 'manual' },
    path: 'primaryUpdateStrategy',
    says: ['unsupervised', 'supervised'],
  },
  ...Object.entries(OWNED_PARAMETERS).map(([key, reason]) => ({
    given: `the owned parameter ${key}`,
    input: { ...base, parameters: { [key]: 'x' } },
    path: `parameters.${key}`,
    says: ['is owned by pgcluster and cannot be set', reason],
  })),
  {
    given: 'an owned parameter in capitals',
    input: { ...base, parameters: { WAL_LEVEL: 'minimal' } },
    path: 'parameters.WAL_LEVEL',
    says: ["must stay 'replica'"],
  },
  ...Object.entries(OWNED_POOLER_SETTINGS).map(([key, reason]) => ({
    given: `the owned pooler setting ${key}`,
    input: { ...base, pooler: { parameters: { [key]: 1 } } },
    path: `pooler.parameters.${key}`,
    says: ['is owned by pgcluster and cannot be set', reason],
  })),
];

describe('parseSpec refuses invalid specs, naming the field, the value and what is allowed', () => {
  for (const { given, input, path, says } of REFUSED) {
    test(`GIVEN ${given} WHEN parsed THEN ${path} is refused`, () => {
      assertIssue(
        issuesOf(() => parseSpec(input)),
        path,
        says,
      );
    });
  }
});

test('GIVEN two parameters differing only by case WHEN parsed THEN refused as duplicates', () => {
  assert.throws(
    () => parseSpec({ name: 'demo', parameters: { work_mem: '4MB', Work_Mem: '8MB' } }),
    /parameters\.Work_Mem: duplicates parameters\.work_mem: parameter names are case-insensitive/,
  );
});

test('GIVEN a newline in bootstrap.initdb.locale WHEN parsed THEN refused naming the field', () => {
  assert.throws(
    () => parseSpec({ name: 'demo', bootstrap: { initdb: { locale: 'C\nx' } } }),
    /bootstrap\.initdb\.locale: "C\\nx" is not allowed: must not contain newlines or NUL/,
  );
});

test('GIVEN storage on the local platform WHEN parsed THEN accepted, and up is told it is not applicable', () => {
  const spec = parseSpec({ name: 'demo', storage: { size: '1Gi' } });
  assert.equal(spec.storage?.size, '1Gi');
  assert.deepEqual(
    notApplicable(spec).map((n) => n.split(':')[0]),
    ['storage'],
  );
  assert.match(notApplicable(spec)[0] ?? '', /not applicable on platform\.local .*state dir/);
  assert.deepEqual(notApplicable(parseSpec({ name: 'demo' })), []);
});
