import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { clusterSpecSchema } from '../spec/cluster';
import { COMPONENT_TOKEN, pgclusterSchema } from './pgcluster';
import { clusterOutputsSchema } from './outputs';
import { roleSchema } from '../spec/roles';
import { databaseSchema } from '../spec/databases';
import { grantSchema } from '../spec/grants';
import { ANY_TYPE } from './properties';
import { pulumiSchemaProblems } from '../../test/helpers/pulumi-package-schema';

const META = { version: '1.2.3', description: 'HA PostgreSQL', license: 'Apache-2.0' };

/** The `.describe()` text of a field, looking through optional/default/prefault wrappers. */
function describedText(schema: z.ZodType): string | undefined {
  if (schema.description !== undefined) return schema.description;
  const inner = (schema._zod.def as { innerType?: z.ZodType }).innerType;
  return inner ? describedText(inner) : undefined;
}

describe('the custom resources of the package schema', () => {
  const schema = pgclusterSchema(META);
  for (const [token, entry] of [
    ['pgcluster:index:Role', roleSchema],
    ['pgcluster:index:Database', databaseSchema],
    ['pgcluster:index:Grant', grantSchema],
  ] as const)
    test(`GIVEN ${token} WHEN converted THEN its inputs are the spec entry's, each with its .describe() text, plus connection`, () => {
      const r = schema.resources[token]!;
      assert.equal(r.isComponent, undefined);
      for (const key of Object.keys(entry.shape).filter((k) => k !== 'password')) {
        const text = describedText(entry.shape[key as keyof typeof entry.shape] as z.ZodType);
        assert.equal(r.inputProperties[key]?.description, text, `${token}.${key}`);
      }
      assert.equal(r.inputProperties.connection!.$ref, '#/types/pgcluster:index:SqlConnection');
      assert.ok(r.requiredInputs?.includes('connection'));
    });

  test('GIVEN Role WHEN converted THEN its password is a secret string; Backup has its outputs', () => {
    const role = schema.resources['pgcluster:index:Role']!;
    assert.equal(role.inputProperties.password!.secret, true);
    assert.equal(role.inputProperties.password!.type, 'string');
    assert.equal(role.properties.passwordHash!.secret, true);
    const backup = schema.resources['pgcluster:index:Backup']!;
    assert.deepEqual(backup.requiredInputs, ['cluster']);
    for (const key of [
      'label',
      'backupType',
      'lsnStart',
      'lsnStop',
      'size',
      'repoSize',
      'startedAt',
      'stoppedAt',
    ])
      assert.ok(backup.properties[key], key);
  });

  test('GIVEN the types WHEN listed THEN no type shares a token with a resource (the SDKs need distinct names)', () => {
    for (const token of Object.keys(schema.resources)) assert.equal(schema.types[token], undefined, token);
  });
});

describe('the pgcluster package schema', () => {
  const schema = pgclusterSchema(META);
  const resource = schema.resources[COMPONENT_TOKEN]!;

  test('GIVEN the spec WHEN converted THEN the package metadata comes from package.json values', () => {
    assert.equal(schema.name, 'pgcluster');
    assert.equal(schema.version, '1.2.3');
    assert.equal(schema.license, 'Apache-2.0');
    assert.deepEqual(schema.language, {
      nodejs: { packageName: 'pulumi-pgcluster' },
      go: { importBasePath: 'github.com/pgcluster/pulumi-pgcluster/sdk/go/pgcluster' },
      python: { packageName: 'pulumi_pgcluster' },
    });
    assert.equal(resource.isComponent, true);
  });

  test('GIVEN the spec WHEN converted THEN it passes the metaschema rules', () => {
    assert.deepEqual(pulumiSchemaProblems(schema as unknown as Record<string, unknown>), []);
  });

  test('GIVEN every spec key WHEN converted THEN it is an input documented with its .describe() text', () => {
    const keys = Object.keys(clusterSpecSchema.shape);
    assert.deepEqual(Object.keys(resource.inputProperties), keys);
    for (const key of keys) {
      const field = clusterSpecSchema.shape[key as keyof typeof clusterSpecSchema.shape] as z.ZodType;
      const text = describedText(field);
      assert.ok(text, `${key} has a .describe() text`);
      assert.equal(resource.inputProperties[key]!.description, text, key);
    }
    assert.equal(resource.description, clusterSpecSchema.description);
  });

  test('GIVEN name is filled in by the component WHEN converted THEN no input is required', () => {
    assert.equal(resource.requiredInputs, undefined);
  });

  test('GIVEN nested objects WHEN converted THEN they are named types (Synchronous, Ha, ...)', () => {
    assert.equal(resource.inputProperties.synchronous!.$ref, '#/types/pgcluster:index:Synchronous');
    assert.equal(resource.inputProperties.ha!.$ref, '#/types/pgcluster:index:Ha');
    assert.equal(schema.types['pgcluster:index:Ha']?.type, 'object');
    assert.deepEqual(schema.types['pgcluster:index:SynchronousDataDurability'], {
      type: 'string',
      description: describedText(clusterSpecSchema.shape.synchronous.unwrap().shape.dataDurability),
      enum: [{ value: 'required' }, { value: 'preferred' }],
    });
  });

  test('GIVEN the spec WHEN converted THEN no key is left as "Not supported yet" (replica was the last), and replica is typed', () => {
    const later = Object.entries(resource.inputProperties).filter(([, p]) =>
      p.description?.startsWith('Not supported yet'),
    );
    assert.deepEqual(
      later.map(([key]) => key),
      [],
    );
    assert.notEqual(resource.inputProperties.replica?.$ref, ANY_TYPE, 'replica has its own type');
  });

  test('GIVEN the outputs WHEN converted THEN they are the component outputs, connectionUri and adminConnection secret', () => {
    assert.deepEqual(Object.keys(resource.properties), Object.keys(clusterOutputsSchema.shape));
    assert.deepEqual(Object.keys(resource.properties), [
      'endpoints',
      'primary',
      'connectionUri',
      'appSecretName',
      'superuserSecretName',
      'adminConnection',
      'readOnly',
      'replicationSource',
    ]);
    assert.equal(resource.properties.replicationSource!.secret, true);
    assert.equal(resource.properties.connectionUri!.secret, true);
    assert.equal(resource.properties.adminConnection!.secret, true);
    assert.equal(resource.properties.adminConnection!.$ref, '#/types/pgcluster:index:SqlConnection');
    assert.deepEqual(resource.required, [
      'endpoints',
      'primary',
      'connectionUri',
      'adminConnection',
      'readOnly',
    ]);
    assert.equal(resource.properties.endpoints!.$ref, '#/types/pgcluster:index:ClusterEndpoints');
    const endpoints = schema.types['pgcluster:index:ClusterEndpoints'];
    assert.ok(endpoints && endpoints.type === 'object' && 'properties' in endpoints);
    assert.deepEqual(Object.keys(endpoints.properties), ['rw', 'ro', 'r', 'pooler']);
    assert.deepEqual(endpoints.required, ['rw', 'ro', 'r']);
  });
});
