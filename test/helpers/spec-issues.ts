import assert from 'node:assert/strict';
import { SpecError, type SpecIssue } from '../../provider/spec';

/** The issues of the SpecError that `run` throws; fails the test when it throws nothing or something else. */
export function issuesOf(run: () => unknown): SpecIssue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  return assert.fail('expected a SpecError, but the spec was accepted');
}

export function assertIssue(issues: SpecIssue[], path: string, says: readonly string[]): void {
  const found = issues.find((i) => i.path === path);
  assert.ok(found, `expected an issue at ${path}, got ${JSON.stringify(issues)}`);
  for (const fragment of says) {
    assert.ok(found.message.includes(fragment), `${path}: "${found.message}" should contain "${fragment}"`);
  }
}
