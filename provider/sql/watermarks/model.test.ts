import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../../spec';
import { desiredFromSpec } from '../desired';
import {
  advanceQuiet,
  insideDigest,
  MAX_WAL_TO_READ,
  nextWatermarks,
  parseLsn,
  quietDatabases,
  rolesInside,
  walToRead,
  type Watermarks,
} from './model';

const desired = (input: object) => desiredFromSpec(parseSpec({ name: 'c', ...input }));

const spec = {
  roles: [{ name: 'owner' }, { name: 'reader', login: true }],
  databases: [
    { name: 'shop', owner: 'owner', schemas: [{ name: 'sales', owner: 'reader' }] },
    { name: 'blog', schemas: [{ name: 'posts' }] },
  ],
  grants: [
    { role: 'reader', database: 'shop', on: 'database', privileges: ['CONNECT'] },
    { role: 'reader', database: 'shop', on: 'tables', schema: 'sales', privileges: ['SELECT'] },
    {
      role: 'reader',
      database: 'shop',
      on: 'tables',
      schema: 'sales',
      createdBy: 'owner',
      privileges: ['SELECT'],
    },
  ],
};

const oids = {
  databases: new Map([
    ['shop', '16400'],
    ['blog', '16401'],
  ]),
  roles: new Map([
    ['owner', '16384'],
    ['reader', '16385'],
  ]),
};

const marks: Watermarks = {
  system: '7711',
  timeline: '00000001',
  databases: {
    shop: { lsn: '0/3000000', digest: insideDigest(desired(spec), 'shop', oids) },
    blog: { lsn: '0/3000100', digest: insideDigest(desired(spec), 'blog', oids) },
  },
};
const digests = new Map(Object.entries(marks.databases).map(([d, m]) => [d, m.digest]));
const now = { system: '7711', timeline: '00000001', lsn: '0/3000200' };

describe('watermarks', () => {
  test('GIVEN LSNs WHEN parsed THEN they order as WAL positions, and garbage is refused', () => {
    assert.equal(parseLsn('0/0'), 0n);
    assert.equal(parseLsn('1/0'), 1n << 32n);
    assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) + 0xb374d848n);
    assert.ok(parseLsn('0/FFFFFFFF') < parseLsn('1/0'));
    assert.throws(() => parseLsn('16B374D848'), /not an LSN: "16B374D848"/);
  });

  test('GIVEN a database WHEN its roles are listed THEN owners, schema owners, grantees and creators, not database grants elsewhere', () => {
    assert.deepEqual(rolesInside(desired(spec), 'shop'), ['owner', 'reader']);
    assert.deepEqual(rolesInside(desired(spec), 'blog'), []);
  });

  test('GIVEN the same contents WHEN digested THEN stable; any change to contents, grants or oids changes it', () => {
    const base = insideDigest(desired(spec), 'shop', oids);
    assert.equal(insideDigest(desired(spec), 'shop', oids), base);
    const other = (s: object, o = oids) => insideDigest(desired(s), 'shop', o);
    const grants = spec.grants.map((g, i) => (i === 1 ? { ...g, privileges: ['SELECT', 'INSERT'] } : g));
    assert.notEqual(other({ ...spec, grants }), base, 'a privilege added');
    const databases = [{ ...spec.databases[0], schemas: [{ name: 'sales' }] }, spec.databases[1]];
    assert.notEqual(other({ ...spec, databases }), base, 'a schema owner dropped');
    const renamed = { ...oids, roles: new Map([...oids.roles, ['reader', '16999']]) };
    assert.notEqual(other(spec, renamed), base, 'reader recreated (a new oid)');
    const recreated = { ...oids, databases: new Map([...oids.databases, ['shop', '17000']]) };
    assert.notEqual(other(spec, recreated), base, 'the database recreated');
    const dbGrant = spec.grants.map((g, i) => (i === 0 ? { ...g, privileges: ['CONNECT', 'TEMPORARY'] } : g));
    assert.equal(other({ ...spec, grants: dbGrant }), base, 'a database grant lives in shared catalogs');
    assert.equal(insideDigest(desired({ ...spec, grants }), 'blog', oids), marks.databases.blog?.digest);
  });

  test('GIVEN watermarks WHEN the WAL since touched one database THEN only the other is quiet', () => {
    const touched = new Map([['16400', '0/3000180']]);
    assert.deepEqual([...quietDatabases(marks, now, digests, touched, oids.databases)], ['blog']);
    const before = new Map([['16400', '0/2FFFFF0']]);
    assert.deepEqual(
      [...quietDatabases(marks, now, digests, before, oids.databases)].sort(),
      ['blog', 'shop'],
      'a record before the mark does not count',
    );
    const atMark = new Map([['16401', '0/3000100']]);
    assert.deepEqual([...quietDatabases(marks, now, digests, atMark, oids.databases)], ['shop']);
  });

  test('GIVEN a changed digest, a missing database or another timeline WHEN checked THEN not quiet', () => {
    const none = new Map<string, string>();
    const changed = new Map([...digests, ['shop', 'other']]);
    assert.deepEqual([...quietDatabases(marks, now, changed, none, oids.databases)], ['blog']);
    const gone = new Map([['blog', '16401']]);
    assert.deepEqual([...quietDatabases(marks, now, digests, none, gone)], ['blog']);
    assert.equal(
      quietDatabases(marks, { ...now, timeline: '00000002' }, digests, none, oids.databases).size,
      0,
    );
    assert.equal(quietDatabases(marks, { ...now, system: '1' }, digests, none, oids.databases).size, 0);
    assert.equal(quietDatabases(undefined, now, digests, none, oids.databases).size, 0);
  });

  test('GIVEN the position WHEN deciding what WAL to read THEN from the oldest holding mark, or a reason to observe all', () => {
    assert.deepEqual(walToRead(marks, now, digests), { from: '0/3000000' });
    assert.deepEqual(walToRead(marks, now, new Map([...digests, ['shop', 'x']])), { from: '0/3000100' });
    assert.deepEqual(walToRead(undefined, now, digests), { none: true });
    assert.deepEqual(walToRead(marks, now, new Map([['shop', 'x']])), { none: true });
    assert.match(
      (walToRead(marks, { ...now, timeline: '00000003' }, digests) as { reason: string }).reason,
      /timeline 00000001 -> 00000003/,
    );
    assert.match(
      (walToRead(marks, { ...now, system: '9' }, digests) as { reason: string }).reason,
      /another server/,
    );
    assert.match(
      (walToRead(marks, { ...now, lsn: '0/2000000' }, digests) as { reason: string }).reason,
      /behind the last apply \(0\/3000000\)/,
    );
    const far = `0/${(parseLsn('0/3000000') + MAX_WAL_TO_READ + 1n).toString(16).toUpperCase()}`;
    assert.match(
      (walToRead(marks, { ...now, lsn: far }, digests) as { reason: string }).reason,
      /more than 64 MB/,
    );
  });

  test('GIVEN an apply WHEN watermarks are kept THEN quiet ones move up, marked ones are new, the rest have none', () => {
    const next = nextWatermarks(
      now,
      new Map([...digests, ['new', 'd-new'], ['left', 'd-left']]),
      new Set(['blog']),
      new Map([
        ['new', '0/3000300'],
        ['shop', '0/3000400'],
      ]),
    );
    assert.deepEqual(next, {
      system: '7711',
      timeline: '00000001',
      databases: {
        blog: { lsn: now.lsn, digest: marks.databases.blog?.digest },
        shop: { lsn: '0/3000400', digest: marks.databases.shop?.digest },
        new: { lsn: '0/3000300', digest: 'd-new' },
      },
    });
    assert.equal(nextWatermarks(undefined, digests, new Set(['blog']), new Map()), undefined);
  });

  test('GIVEN marks checked again WHEN advanced THEN only the quiet ones move', () => {
    const later = { ...now, lsn: '0/4000000' };
    assert.deepEqual(advanceQuiet(marks, later, new Set(['shop'])).databases, {
      shop: { ...marks.databases.shop, lsn: '0/4000000' },
      blog: marks.databases.blog,
    });
  });
});
