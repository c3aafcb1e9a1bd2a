import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEEPER_POLICY, planKeeper, type KeeperMemberState } from './keeper';

const dead = (name: string) => ({ name, alive: false, fenced: false });

describe('planKeeper', () => {
  test('GIVEN a member just seen dead THEN it waits deadConfirmMs before restarting it', () => {
    const first = planKeeper(1000, [dead('a-1')], {});
    assert.deepEqual(first.restart, []);
    const later = planKeeper(1000 + KEEPER_POLICY.deadConfirmMs, [dead('a-1')], first.state);
    assert.deepEqual(later.restart, ['a-1']);
  });

  test('GIVEN repeated crashes THEN the delays double up to the cap and it gives up after maxRestarts', () => {
    let state: Record<string, KeeperMemberState> = {};
    let now = 0;
    const restartsAt: number[] = [];
    let gaveUpAt: number | undefined;
    for (let tick = 0; tick < 2000 && gaveUpAt === undefined; tick++, now += 100) {
      const d = planKeeper(now, [dead('a-1')], state);
      if (d.restart.length) restartsAt.push(now);
      if (d.gaveUp.length) gaveUpAt = now;
      state = d.state;
    }
    assert.equal(restartsAt.length, KEEPER_POLICY.maxRestarts);
    const gaps = restartsAt.slice(1).map((t, i) => t - (restartsAt[i] as number));
    assert.deepEqual(gaps, [2000, 4000, 8000, 16000]);
    assert.ok(gaveUpAt !== undefined && state['a-1']?.gaveUp);
  });

  test('GIVEN a fenced or a running member THEN it is never restarted', () => {
    const d = planKeeper(
      10_000,
      [
        { name: 'a-1', alive: false, fenced: true },
        { name: 'a-2', alive: true, fenced: false },
      ],
      {
        'a-1': { restarts: [], deadSince: 0 },
      },
    );
    assert.deepEqual(d.restart, []);
  });

  test('GIVEN restarts older than the window THEN they no longer count', () => {
    const old = Array.from({ length: KEEPER_POLICY.maxRestarts }, (_, i) => i);
    const now = KEEPER_POLICY.windowMs + 100;
    const d = planKeeper(now, [dead('a-1')], { 'a-1': { restarts: old, deadSince: 0 } });
    assert.deepEqual(d.restart, ['a-1']);
  });

  test('GIVEN a member that runs longer than stableMs between deaths THEN each death is restarted at once and it never gives up', () => {
    let state: Record<string, KeeperMemberState> = {};
    let now = 0;
    let restarts = 0;
    for (let death = 0; death < KEEPER_POLICY.maxRestarts * 3; death++) {
      // dead until restarted
      for (let t = 0; t < 20 && restarts === death; t++, now += 250) {
        const d = planKeeper(now, [dead('a-1')], state);
        assert.deepEqual(d.gaveUp, []);
        restarts += d.restart.length;
        state = d.state;
      }
      assert.equal(restarts, death + 1, `death ${death + 1} was restarted`);
      // then it runs for stableMs
      for (let t = 0; t <= KEEPER_POLICY.stableMs; t += 1000, now += 1000)
        state = planKeeper(now, [{ name: 'a-1', alive: true, fenced: false }], state).state;
    }
  });
});
