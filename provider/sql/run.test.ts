import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { segments } from './run';
import type { Step } from './steps';

const step = (sql: string, more: Partial<Step> = {}): Step => ({
  kind: 'grant',
  object: sql,
  key: sql,
  sql,
  ...more,
});

describe('segments: which steps share one round trip', () => {
  const CASES: ReadonlyArray<{ given: string; steps: Step[]; size: number; then: string[][] }> = [
    { given: 'no steps', steps: [], size: 10, then: [] },
    {
      given: 'three plain steps',
      steps: [step('a'), step('b'), step('c')],
      size: 10,
      then: [['a', 'b', 'c']],
    },
    {
      given: 'a batch size of 2',
      steps: [step('a'), step('b'), step('c')],
      size: 2,
      then: [['a', 'b'], ['c']],
    },
    {
      given: 'a batch size of 1 (the naive way)',
      steps: [step('a'), step('b')],
      size: 1,
      then: [['a'], ['b']],
    },
    {
      given: 'a CREATE DATABASE in the middle',
      steps: [step('a'), step('create', { alone: true }), step('b')],
      size: 10,
      then: [['a'], ['create'], ['b']],
    },
    {
      given: 'password steps between others (they share their own quiet transaction)',
      steps: [
        step('a'),
        step('pw1', { kind: 'set-password', password: { role: 'r1' } }),
        step('pw2', { kind: 'set-password', password: { role: 'r2' } }),
        step('b'),
      ],
      size: 10,
      then: [['a'], ['pw1', 'pw2'], ['b']],
    },
    {
      given: 'steps in two databases',
      steps: [
        step('a'),
        step('b', { database: 'x' }),
        step('c', { database: 'x' }),
        step('d', { database: 'y' }),
      ],
      size: 10,
      then: [['a'], ['b', 'c'], ['d']],
    },
  ];
  for (const c of CASES) {
    test(`GIVEN ${c.given} WHEN segmented THEN ${JSON.stringify(c.then)}`, () => {
      assert.deepEqual(
        segments(c.steps, c.size).map((s) => s.map((x) => x.sql)),
        c.then,
      );
    });
  }
});
