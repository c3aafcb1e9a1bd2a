import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTextChange } from './text-diff';

describe('describeTextChange', () => {
  test('GIVEN equal texts THEN there is nothing to say', () => {
    assert.equal(describeTextChange('a\nb\n', 'a\nb\n'), '');
  });

  test('GIVEN one changed line THEN only it is shown, old then new, with its line number', () => {
    assert.equal(describeTextChange('a\nb\nc\n', 'a\nB\nc\n'), '@@ line 2 @@\n- b\n+ B');
  });

  test('GIVEN an added line THEN it is shown with a +', () => {
    assert.equal(describeTextChange('a\nc\n', 'a\nb\nc\n'), '@@ line 2 @@\n+ b');
  });

  test('GIVEN a missing old text THEN the new lines are shown, up to the limit', () => {
    const text = describeTextChange('', 'x\ny\nz\n', 3);
    assert.equal(text, '@@ line 1 @@\n+ x\n+ y\n... 1 more changed lines');
  });
});
