import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterSpecSchema, formatPath, parseSpec, SpecError } from './index';
import { knownKeysAt } from './zod-issues';
import { validSpecInput } from '../../test/helpers/arbitraries';
import { issuesOf } from '../../test/helpers/spec-issues';

describe('parseSpec properties', () => {
  test('GIVEN any spec within the allowed ranges WHEN parsed THEN it is accepted', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        parseSpec(input);
      }),
    );
  });

  test('GIVEN any valid spec WHEN its parsed form is parsed again THEN the result is the same (idempotent)', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const once = parseSpec(input);
        assert.deepEqual(parseSpec(once), once);
      }),
    );
  });

  test('GIVEN any valid spec WHEN parsed THEN the values it sets are kept as written', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const spec = parseSpec(input);
        assert.equal(spec.name, input.name);
        assert.equal(spec.instances, input.instances ?? 3);
        assert.deepEqual(spec.parameters, input.parameters ?? {});
        assert.deepEqual(spec.pgHba, input.pgHba ?? []);
        assert.equal(spec.primary, input.primary);
      }),
    );
  });
});

/** Where objects of the spec live; each must refuse keys it does not know. */
const OBJECT_PATHS: ReadonlyArray<readonly string[]> = [
  [],
  ['platform'],
  ['platform', 'local'],
  ['ha'],
  ['synchronous'],
  ['bootstrap'],
  ['bootstrap', 'initdb'],
  ['pooler'],
];

/** A spec with every nested object present, so an extra key can be placed at any OBJECT_PATHS entry. */
function specWithKey(at: readonly string[], key: string, value: unknown): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    name: 'orders',
    platform: { local: {} },
    ha: {},
    synchronous: {},
    bootstrap: { initdb: {} },
    pooler: {},
  };
  let target = spec;
  for (const part of at) target = target[part] as Record<string, unknown>;
  // defineProperty, not assignment: "__proto__" must become an own key, as it does when parsed from YAML.
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return spec;
}

const oddKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'Name',
  'name ',
  '',
);

describe('unknown keys', () => {
  test('GIVEN any unknown key at any level WHEN parsed THEN it is refused with a message naming it', () => {
    const location = fc.constantFrom(...OBJECT_PATHS);
    const keyAndLocation = location.chain((at) =>
      fc
        .oneof(
          fc.string({ minLength: 1, maxLength: 20 }),
          fc.string({ unit: 'grapheme', maxLength: 10 }),
          oddKeys,
        )
        .filter((key) => !knownKeysAt(clusterSpecSchema, at).includes(key))
        .map((key) => ({ at, key })),
    );
    fc.assert(
      fc.property(keyAndLocation, fc.jsonValue(), ({ at, key }, value) => {
        const issues = issuesOf(() => parseSpec(specWithKey(at, key, value)));
        const path = formatPath([...at, key]);
        const issue = issues.find((i) => i.path === path);
        assert.ok(issue, `expected an issue at ${path}, got ${JSON.stringify(issues)}`);
        assert.match(issue.message, /^unknown key/);
        assert.ok(new SpecError(issues).message.includes(`- ${path}: unknown key`));
      }),
    );
  });
});
