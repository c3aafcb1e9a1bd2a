/**
 * The job queue of `node scripts/run-tests.mjs all` (scripts/test-queue.mjs), on jobs that each sleep
 * for a while and print their name: the longest start first, no more run than there are workers, a
 * job on the node starts once the node is up and no more of them than its slots, a quiet one never
 * while the node starts, and the node's failure fails its jobs, with its message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface Job {
  name: string;
  files: string[];
  onNode: boolean;
  quiet: boolean;
  weight: number;
}
interface Done {
  job: Job;
  code: number;
  seconds: number;
  startedAt: number;
  output: Buffer;
}
interface QueueModule {
  runQueue(options: {
    jobs: Job[];
    workers: number;
    nodeSlots: number;
    nodeUp?: Promise<{ code: number; stderr: string }>;
    args: (files: string[]) => string[];
    onDone: (done: Done) => void;
  }): Promise<Done[]>;
}
const MODULE = join(__dirname, '..', '..', 'scripts', 'test-queue.mjs');
const load = () => import(MODULE) as Promise<QueueModule>;

/** A job's "file" is `name:milliseconds:exit`; its process sleeps that long, prints the name, exits so. */
const job = (name: string, ms: number, extra: Partial<Job> = {}, exit = 0): Job => ({
  name,
  files: [`${name}:${ms}:${exit}`],
  onNode: false,
  quiet: false,
  weight: ms,
  ...extra,
});
const args = (files: string[]) => {
  const [name, ms, exit] = String(files[0]).split(':');
  return ['-e', `setTimeout(() => { console.log(${JSON.stringify(name)}); process.exit(${exit}); }, ${ms})`];
};

/** The job of that name among those done. */
function of(done: Done[], name: string): Done {
  const found = done.find((d) => d.job.name === name);
  assert.ok(found, `${name} not run: ${JSON.stringify(done)}`);
  return found;
}

describe('the job queue of the test run', () => {
  test('GIVEN more jobs than workers WHEN run THEN the longest start first and at most that many run at once', async () => {
    const { runQueue } = await load();
    const jobs = [job('short', 100), job('long', 900), job('middle', 500), job('shortest', 50)];
    const done = await runQueue({ jobs, workers: 2, nodeSlots: 1, args, onDone: () => {} });
    const at = (name: string) => of(done, name);
    // long and middle start at once; short when middle ends, shortest when short ends.
    assert.ok(at('long').startedAt < 0.3 && at('middle').startedAt < 0.3, JSON.stringify(done));
    assert.ok(at('short').startedAt >= 0.45 && at('shortest').startedAt >= at('short').startedAt + 0.05);
    for (const d of done) assert.equal(d.output.toString().trim(), d.job.name);
    const spans = done.map((d) => ({ from: d.startedAt, to: d.startedAt + d.seconds }));
    for (const { from } of spans) {
      const running = spans.filter((s) => s.from <= from && from < s.to).length;
      assert.ok(running <= 2, `${running} jobs at ${from} s`);
    }
  });

  test('GIVEN node jobs and a quiet one WHEN the node starts after 600 ms THEN they wait for it, and the node jobs take one slot at a time', async () => {
    const { runQueue } = await load();
    const jobs = [
      job('k8s-a', 300, { onNode: true }),
      job('k8s-b', 300, { onNode: true }),
      job('quiet', 100, { quiet: true }),
      job('plain', 100),
    ];
    const nodeUp = sleep(600).then(() => ({ code: 0, stderr: '' }));
    const done = await runQueue({ jobs, workers: 4, nodeSlots: 1, nodeUp, args, onDone: () => {} });
    const at = (name: string) => of(done, name);
    assert.ok(at('plain').startedAt < 0.3, JSON.stringify(done));
    for (const name of ['k8s-a', 'k8s-b', 'quiet']) assert.ok(at(name).startedAt >= 0.55, name);
    const [first, second] = [at('k8s-a'), at('k8s-b')].sort((a, b) => a.startedAt - b.startedAt) as [
      Done,
      Done,
    ];
    assert.ok(second.startedAt >= first.startedAt + first.seconds - 0.05, JSON.stringify(done));
    assert.ok(done.every((d) => d.code === 0));
  });

  test('GIVEN the node failed to start WHEN its jobs come up THEN they fail with its message, and the others run', async () => {
    const { runQueue } = await load();
    const jobs = [
      job('k8s', 100, { onNode: true }),
      job('quiet', 100, { quiet: true }),
      job('bad', 50, {}, 3),
    ];
    const nodeUp = sleep(200).then(() => ({ code: 7, stderr: 'kube-apiserver did not answer' }));
    const done = await runQueue({ jobs, workers: 2, nodeSlots: 2, nodeUp, args, onDone: () => {} });
    const at = (name: string) => of(done, name);
    assert.equal(at('k8s').code, 1);
    assert.match(at('k8s').output.toString(), /up\.sh failed \(exit 7\):\nkube-apiserver did not answer/);
    assert.equal(at('quiet').code, 0);
    assert.equal(at('bad').code, 3);
  });
});
