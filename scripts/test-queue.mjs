// The job queue of `node scripts/run-tests.mjs all`: each test file (the unit files together) is a job,
// run as its own `node --test` by one of a few workers, the longest first (by the durations of the last
// measured run, scripts/test-durations.json), so that no worker is left with a long tail. A job on the
// Kubernetes node starts once the node is up, and no more than `nodeSlots` of them at once; a
// timing-bound job (quiet) starts once the node has started, never while it starts (its image import
// starved Patroni's etcd reads). Each job's output is printed when it ends, whole, after a header.
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import { setImmediate } from 'node:timers';

/**
 * @typedef {{name: string, files: string[], onNode: boolean, quiet: boolean, weight: number}} Job
 * @typedef {{job: Job, code: number, seconds: number, startedAt: number, output: Buffer}} Done
 */

/**
 * Runs `jobs` on `workers` workers; `nodeUp` resolves to {code, stderr} once the node is up (or
 * failed to start; its jobs then fail with that), or is undefined when no job needs it.
 * @param {{jobs: Job[], workers: number, nodeSlots: number, nodeUp?: Promise<{code: number, stderr: string}>,
 *   args: (files: string[]) => string[], onDone: (done: Done) => void}} options
 * @returns {Promise<Done[]>}
 */
export function runQueue({ jobs, workers, nodeSlots, nodeUp, args, onDone }) {
  const pending = [...jobs].sort((a, b) => b.weight - a.weight);
  const finished = [];
  const began = Date.now();
  let node; // undefined while the node starts; then its {code, stderr}
  let running = 0;
  let onNodeRunning = 0;
  return new Promise((resolve) => {
    const eligible = (job) => {
      if (!job.onNode && !job.quiet) return true;
      if (nodeUp !== undefined && node === undefined) return false;
      return !job.onNode || onNodeRunning < nodeSlots;
    };
    const finish = (done) => {
      finished.push(done);
      onDone(done);
      running -= 1;
      if (done.job.onNode) onNodeRunning -= 1;
      fill();
    };
    const start = (job) => {
      running += 1;
      if (job.onNode) onNodeRunning += 1;
      const startedAt = Date.now();
      const out = [];
      if (job.onNode && node.code !== 0) {
        out.push(Buffer.from(`tools/kubernetes/up.sh failed (exit ${node.code}):\n${node.stderr}\n`));
        setImmediate(() => finish({ job, code: 1, seconds: 0, startedAt: 0, output: Buffer.concat(out) }));
        return;
      }
      const child = spawn(process.execPath, args(job.files), { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => out.push(d));
      child.on('close', (code) =>
        finish({
          job,
          code: code ?? 1,
          seconds: (Date.now() - startedAt) / 1000,
          startedAt: (startedAt - began) / 1000,
          output: Buffer.concat(out),
        }),
      );
    };
    const fill = () => {
      while (running < workers) {
        const i = pending.findIndex(eligible);
        if (i < 0) break;
        start(pending.splice(i, 1)[0]);
      }
      if (running === 0 && pending.length === 0) resolve(finished);
    };
    nodeUp?.then((up) => {
      node = up;
      fill();
    });
    fill();
  });
}
