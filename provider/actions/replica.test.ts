import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../spec';
import { staleIssue } from './replica';

const spec = (name: string, other: string, primary: string) =>
  parseSpec({
    name,
    platform: { local: { basePort: 24100 } },
    replica: { primary, source: { cluster: other } },
  });

describe('replica.primary: a spec that would undo the group switch', () => {
  test('GIVEN site-a unchanged since its last up and site-b since declaring itself the primary WHEN up of site-a THEN it is refused, saying what to set', () => {
    const issue = staleIssue(spec('site-a', 'site-b', 'site-a'), spec('site-a', 'site-b', 'site-a'), {
      name: 'site-b',
      spec: spec('site-b', 'site-a', 'site-b'),
    });
    assert.match(issue ?? '', /last up of site-a declared, but site-b's last up declared "site-b"/);
    assert.match(issue ?? '', /set replica.primary: site-b in this spec too/);
  });

  test('GIVEN site-a whose replica.primary changed since its last up WHEN up THEN it is a switch, not stale', () => {
    assert.equal(
      staleIssue(spec('site-a', 'site-b', 'site-a'), spec('site-a', 'site-b', 'site-b'), {
        name: 'site-b',
        spec: spec('site-b', 'site-a', 'site-b'),
      }),
      undefined,
    );
  });

  test('GIVEN both clusters declaring the same primary WHEN up THEN nothing is stale', () => {
    assert.equal(
      staleIssue(spec('site-b', 'site-a', 'site-a'), spec('site-b', 'site-a', 'site-a'), {
        name: 'site-a',
        spec: spec('site-a', 'site-b', 'site-a'),
      }),
      undefined,
    );
  });

  test('GIVEN a source this state dir does not manage WHEN up THEN there is nothing to compare with', () => {
    assert.equal(
      staleIssue(spec('site-b', 'site-a', 'site-b'), spec('site-b', 'site-a', 'site-b'), undefined),
      undefined,
    );
  });
});
