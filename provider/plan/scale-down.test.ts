import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planScaleDown } from './scale-down';

const m = (name: string, role: string, state = 'streaming', lag = 0) => ({ name, role, state, lag });

describe('planScaleDown', () => {
  test('GIVEN the primary among the kept members THEN nothing to do', () => {
    const step = planScaleDown(
      'db',
      [m('db-1', 'leader', 'running'), m('db-2', 'sync_standby'), m('db-3', 'replica')],
      2,
      true,
    );
    assert.deepEqual(step, { kind: 'none', why: 'the primary db-1 stays' });
  });

  test('GIVEN the primary on the highest ordinal THEN switch over to a kept synchronous standby first', () => {
    const step = planScaleDown(
      'db',
      [m('db-1', 'replica'), m('db-2', 'sync_standby'), m('db-3', 'leader', 'running')],
      2,
      true,
    );
    assert.deepEqual(step, { kind: 'switchover', from: 'db-3', to: 'db-2' });
  });

  test('GIVEN asynchronous replication THEN the kept replica with the least lag', () => {
    const step = planScaleDown(
      'db',
      [
        m('db-1', 'replica', 'streaming', 900),
        m('db-2', 'replica', 'streaming', 10),
        m('db-3', 'leader', 'running'),
        m('db-4', 'replica'),
      ],
      2,
      false,
    );
    assert.deepEqual(step, { kind: 'switchover', from: 'db-3', to: 'db-2' });
  });

  test('GIVEN synchronous mode and the only synchronous standby removed too THEN refused with what to do', () => {
    const step = planScaleDown(
      'db',
      [m('db-1', 'replica'), m('db-2', 'replica'), m('db-3', 'sync_standby'), m('db-4', 'leader', 'running')],
      2,
      true,
    );
    assert.equal(step.kind, 'refuse');
    assert.match(
      (step as { reason: string }).reason,
      /instances 2: the primary db-4 would be removed .*no synchronous standby among db-1, db-2.*switch over/,
    );
  });

  test('GIVEN no primary THEN nothing to move', () => {
    assert.equal(planScaleDown('db', [m('db-1', 'replica')], 1, false).kind, 'none');
  });
});
