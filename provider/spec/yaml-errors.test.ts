import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpecText } from './parse';
import { SpecError } from './errors';
import { snippet, unclosedAt } from './yaml-errors';

function messageOf(text: string): string {
  try {
    parseSpecText(text, 'cluster.yaml');
  } catch (e) {
    assert.ok(e instanceof SpecError, String(e));
    assert.equal(e.issues.length, 1, `one message, got ${JSON.stringify(e.issues)}`);
    return e.message;
  }
  return assert.fail('the text was accepted');
}

/** Each syntax error as the CLI prints it (after `pgcluster: `): one message, the real line, the snippet. */
const CASES: ReadonlyArray<{ given: string; text: string; message: string }> = [
  {
    given: 'a flow map missing its } before the next key',
    text: 'name: demo\npooler: {enabled: true\nbootstrap:\n  initdb: {}\ninstances: 3\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: this { is never closed (a } is missing) at line 2, column 9:
    1 | name: demo
    2 | pooler: {enabled: true
      |         ^`,
  },
  {
    given: 'JSON, one key per line, an inner } missing',
    text: '{\n  "name": "demo",\n  "pooler": {"enabled": true,\n  "instances": 3\n}\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: this { is never closed (a } is missing) at line 3, column 13:
    2 |   "name": "demo",
    3 |   "pooler": {"enabled": true,
      |             ^`,
  },
  {
    given: 'a flow sequence missing its ] at the end of the file',
    text: 'name: [orders\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: this [ is never closed (a ] is missing) at line 1, column 7:
    1 | name: [orders
      |       ^`,
  },
  {
    given: 'a quote never closed',
    text: 'name: "demo\ninstances: 3\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: this " is never closed (the closing quote is missing) at line 1, column 7:
    1 | name: "demo
      |       ^`,
  },
  {
    given: 'a duplicate key',
    text: 'name: a\nname: b\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: Map keys must be unique at line 2, column 1:
    1 | name: a
    2 | name: b
      | ^`,
  },
  {
    given: 'a tab as indentation',
    text: 'name: demo\npooler:\n\tenabled: true\n',
    message: `invalid cluster spec in cluster.yaml:
  - (file): not valid YAML or JSON: Tabs are not allowed as indentation at line 3, column 1:
    2 | pooler:
    3 |  enabled: true
      | ^`,
  },
];

describe('YAML errors: one message with the line, the column and the snippet', () => {
  for (const { given, text, message } of CASES) {
    test(`GIVEN ${given} WHEN parsed THEN the message points at the place to fix`, () => {
      assert.equal(messageOf(text), message);
    });
  }

  test('GIVEN an apostrophe inside a plain scalar and a # inside quotes WHEN scanned THEN neither opens anything', () => {
    assert.deepEqual(unclosedAt('a: it\'s\nb: "x # [y"\nc: {d: 1}\n'), {
      bracket: undefined,
      quote: undefined,
    });
  });

  test('GIVEN an escaped quote in a quoted scalar WHEN scanned THEN the scalar closes at the real quote', () => {
    assert.deepEqual(unclosedAt("a: \"x \\\" y\"\nb: 'it''s'\n"), { bracket: undefined, quote: undefined });
  });

  test('GIVEN the first line WHEN a snippet is made THEN there is no line before it and the caret is under the column', () => {
    assert.equal(snippet('abc: [1\n', { line: 1, col: 6 }), '1 | abc: [1\n  |      ^');
  });
});
