import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSpecSchema, parseSpec } from './index';
import { knownKeysAt } from './zod-issues';
import { OTHER_TOOLS_NAMES } from './other-tools';
import { assertIssue, issuesOf } from '../../test/helpers/spec-issues';

/** A spec with `key` set under the dotted path `at` (an empty object where the path needs one). */
function specWith(at: string, key: string): Record<string, unknown> {
  const spec: Record<string, unknown> = { name: 'orders' };
  let holder = spec;
  for (const part of at ? at.split('.') : []) {
    holder[part] = {};
    holder = holder[part] as Record<string, unknown>;
  }
  holder[key] = 3;
  return spec;
}

const parts = (dotted: string) => dotted.split('.');

describe('"did you mean" for the names other tools use', () => {
  for (const { at, key, means } of OTHER_TOOLS_NAMES) {
    const path = at ? `${at}.${key}` : key;
    test(`GIVEN ${path} WHEN parsed THEN the message suggests ${means}`, () => {
      assertIssue(
        issuesOf(() => parseSpec(specWith(at, key))),
        path,
        [`did you mean "${means}"?`],
      );
    });
  }

  test('GIVEN the table WHEN each suggestion is looked up in the schema THEN it is a key pgcluster has', () => {
    for (const { means } of OTHER_TOOLS_NAMES) {
      const path = parts(means);
      assert.ok(
        knownKeysAt(clusterSpecSchema, path.slice(0, -1)).includes(path.at(-1) as string),
        `${means} is not a key of the spec`,
      );
    }
  });

  test('GIVEN the table WHEN each name is looked up where it is written THEN the schema does not know it (it would never be hinted)', () => {
    for (const { at, key } of OTHER_TOOLS_NAMES) {
      assert.ok(
        !knownKeysAt(clusterSpecSchema, at ? parts(at) : []).includes(key),
        `${key} is a key at ${at}`,
      );
    }
  });

  test('GIVEN replicas WHEN parsed THEN it is not mistaken for the replica key (a standby of another cluster)', () => {
    const [issue] = issuesOf(() => parseSpec({ name: 'orders', replicas: 3 }));
    assert.match(issue?.message ?? '', /did you mean "instances"\?/);
    assert.doesNotMatch(issue?.message ?? '', /did you mean "replica"\?/);
  });

  test('GIVEN a misspelling the table does not know WHEN parsed THEN the closest key is still suggested', () => {
    assertIssue(
      issuesOf(() => parseSpec({ name: 'orders', instancse: 3 })),
      'instancse',
      ['did you mean "instances"?'],
    );
  });
});
