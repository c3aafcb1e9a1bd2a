import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { buildPackageSchema, schemaText } from './pulumi-schema';
import { ANY_TYPE, itemPath, typeName } from './properties';
import type { JsonSchema, PackageSchema } from './types';
import { pulumiSchemaProblems } from '../../test/helpers/pulumi-package-schema';

const TOKEN = 'demo:index:Thing';

/** The package for a component whose inputs are `shape` and whose only output is `id`. */
function packageOf(shape: z.ZodRawShape, optionalInputs?: string[]): PackageSchema {
  return buildPackageSchema({
    name: 'demo',
    version: '1.2.3',
    resourceName: 'Thing',
    inputs: z.toJSONSchema(z.strictObject(shape).describe('A thing.'), { io: 'input' }) as JsonSchema,
    outputs: z.toJSONSchema(z.object({ id: z.string() }), { io: 'output' }) as JsonSchema,
    optionalInputs,
  });
}

function inputOf(shape: z.ZodRawShape, key: string) {
  return packageOf(shape).resources[TOKEN]!.inputProperties[key];
}

describe('buildPackageSchema: one property per zod field', () => {
  const cases: Array<{ given: string; field: z.ZodType; expect: object }> = [
    {
      given: 'a string',
      field: z.string().describe('Words.'),
      expect: { type: 'string', description: 'Words.' },
    },
    { given: 'an int', field: z.int().min(1), expect: { type: 'integer' } },
    { given: 'a number', field: z.number(), expect: { type: 'number' } },
    {
      given: 'a boolean with a default',
      field: z.boolean().default(true),
      expect: { type: 'boolean', default: true },
    },
    {
      given: 'an int with a default',
      field: z.int().default(3).describe('N.'),
      expect: { type: 'integer', description: 'N.', default: 3 },
    },
    {
      given: 'an array of strings',
      field: z.array(z.string()),
      expect: { type: 'array', items: { type: 'string' } },
    },
    {
      given: 'a record of strings',
      field: z.record(z.string(), z.string()),
      expect: { type: 'object', additionalProperties: { type: 'string' } },
    },
    {
      given: 'a record of a primitive union',
      field: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      expect: {
        type: 'object',
        additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
      },
    },
    {
      given: 'z.unknown (a "Not supported yet" key)',
      field: z.unknown().optional().describe('Later.'),
      expect: { $ref: ANY_TYPE, description: 'Later.' },
    },
    {
      given: 'a secret string',
      field: z.string().meta({ secret: true }),
      expect: { type: 'string', secret: true },
    },
    { given: 'a nullable string', field: z.string().nullable(), expect: { type: 'string' } },
    {
      given: 'an object default (not a primitive)',
      field: z.record(z.string(), z.string()).default({}),
      expect: { type: 'object', additionalProperties: { type: 'string' } },
    },
  ];
  for (const { given, field, expect } of cases) {
    test(`GIVEN ${given} WHEN converted THEN the property is ${JSON.stringify(expect)}`, () => {
      assert.deepEqual(inputOf({ field }, 'field'), expect);
    });
  }
});

describe('buildPackageSchema: named types', () => {
  test('GIVEN a nested object WHEN converted THEN it is a named type referenced by $ref, with its description', () => {
    const schema = packageOf({
      synchronous: z
        .strictObject({ number: z.int().default(1) })
        .optional()
        .describe('Sync.'),
    });
    assert.deepEqual(schema.resources[TOKEN]!.inputProperties.synchronous, {
      $ref: '#/types/demo:index:Synchronous',
      description: 'Sync.',
    });
    assert.deepEqual(schema.types['demo:index:Synchronous'], {
      type: 'object',
      description: 'Sync.',
      properties: { number: { type: 'integer', default: 1 } },
    });
  });

  test('GIVEN a string enum WHEN converted THEN it is an enum type named after its path', () => {
    const schema = packageOf({
      pooler: z.strictObject({ poolMode: z.enum(['session', 'transaction']).describe('Mode.') }),
    });
    assert.deepEqual(schema.types['demo:index:Pooler']!, {
      type: 'object',
      properties: { poolMode: { $ref: '#/types/demo:index:PoolerPoolMode', description: 'Mode.' } },
      required: ['poolMode'],
    });
    assert.deepEqual(schema.types['demo:index:PoolerPoolMode'], {
      type: 'string',
      description: 'Mode.',
      enum: [{ value: 'session' }, { value: 'transaction' }],
    });
  });

  test('GIVEN an array of objects WHEN converted THEN the item type is named in the singular', () => {
    const schema = packageOf({ tolerations: z.array(z.strictObject({ key: z.string() })) });
    assert.deepEqual(schema.resources[TOKEN]!.inputProperties.tolerations, {
      type: 'array',
      items: { $ref: '#/types/demo:index:Toleration' },
    });
    assert.deepEqual(schema.types['demo:index:Toleration'], {
      type: 'object',
      properties: { key: { type: 'string' } },
      required: ['key'],
    });
  });

  test('GIVEN a schema with a meta id used twice WHEN converted THEN it is one type named by the id', () => {
    const list = z.strictObject({ cpu: z.string().optional() }).meta({ id: 'ResourceList' });
    const schema = packageOf({ requests: list.optional(), limits: list.optional() });
    const props = schema.resources[TOKEN]!.inputProperties;
    assert.equal(props.requests!.$ref, '#/types/demo:index:ResourceList');
    assert.equal(props.limits!.$ref, '#/types/demo:index:ResourceList');
    assert.deepEqual(Object.keys(schema.types), ['demo:index:ResourceList']);
  });

  test('GIVEN two paths that give the same type name WHEN converted THEN it fails naming both', () => {
    assert.throws(
      () =>
        packageOf({
          a: z.strictObject({ bC: z.strictObject({ x: z.string() }) }),
          aB: z.strictObject({ c: z.strictObject({ y: z.string() }) }),
        }),
      /demo:index:ABC would be defined twice: by a\.bC and by aB\.c/,
    );
  });

  test('GIVEN a JSON Schema keyword Pulumi cannot express WHEN converted THEN it fails naming the property', () => {
    assert.throws(
      () => packageOf({ pair: z.tuple([z.string(), z.int()]) }),
      /pair: JSON Schema "prefixItems" has no Pulumi equivalent/,
    );
  });
});

describe('buildPackageSchema: the resource', () => {
  test('GIVEN required inputs WHEN one is declared optional THEN only the others are requiredInputs', () => {
    const schema = packageOf({ name: z.string(), size: z.string() }, ['name']);
    const resource = schema.resources[TOKEN]!;
    assert.deepEqual(resource.requiredInputs, ['size']);
    assert.equal(resource.isComponent, true);
    assert.equal(resource.description, 'A thing.');
    assert.deepEqual(resource.properties, { id: { type: 'string' } });
    assert.deepEqual(resource.required, ['id']);
  });

  test('GIVEN only optional inputs WHEN converted THEN requiredInputs is left out', () => {
    assert.equal(packageOf({ name: z.string() }, ['name']).resources[TOKEN]!.requiredInputs, undefined);
  });

  test('GIVEN a varied spec WHEN converted THEN the result passes the metaschema rules', () => {
    const schema = packageOf({
      a: z.enum(['x', 'y']).default('x'),
      b: z.array(z.strictObject({ c: z.record(z.string(), z.union([z.string(), z.number()])) })),
      d: z.unknown(),
    });
    assert.deepEqual(pulumiSchemaProblems(schema as unknown as Record<string, unknown>), []);
  });

  test('GIVEN the same input twice WHEN rendered THEN the text is identical and ends with a newline', () => {
    const shape = { b: z.strictObject({ z: z.string(), a: z.string() }), a: z.enum(['q', 'p']) };
    const schema = packageOf(shape);
    const text = schemaText(schema);
    assert.equal(text, schemaText(packageOf(shape)));
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(Object.keys(schema.resources[TOKEN]!.inputProperties), ['b', 'a'], 'declaration order');
    assert.deepEqual(Object.keys((schema.types['demo:index:B'] as { properties: object }).properties), [
      'z',
      'a',
    ]);
    assert.deepEqual(Object.keys(schema.types), ['demo:index:A', 'demo:index:B'], 'types sorted by token');
  });
});

describe('names', () => {
  const cases: Array<[string[], string]> = [
    [['synchronous'], 'Synchronous'],
    [['ha'], 'Ha'],
    [['platform', 'kubernetes', 'endpoint'], 'PlatformKubernetesEndpoint'],
    [['weird-key', 'a.b'], 'WeirdKeyAB'],
  ];
  for (const [path, name] of cases) {
    test(`GIVEN path ${path.join('.')} THEN the type name is ${name}`, () =>
      assert.equal(typeName(path), name));
  }
  const items: Array<[string, string]> = [
    ['tolerations', 'toleration'],
    ['policies', 'policy'],
    ['pgHba', 'pgHbaItem'],
    ['access', 'accessItem'],
  ];
  for (const [last, item] of items) {
    test(`GIVEN an array ${last} THEN its items are named ${item}`, () =>
      assert.deepEqual(itemPath(['x', last]), ['x', item]));
  }
});
