// What a test run must not leave behind: entries in the temp dir with the tests' prefixes (state
// dirs, MinIO dirs, Pulumi projects, the Automation API's workspaces), and processes that use them
// (a postmaster, Patroni, etcd or MinIO left running). scripts/run-tests.mjs takes a snapshot before
// the run and compares after it. On a machine where other runs share the temp dir, their entries
// show up too: PGCLUSTER_LEFTOVER_CHECK=0 turns the check off there.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The prefixes of what the tests create in the temp dir (test/helpers, test/acceptance/support, Pulumi's Automation API). */
export const PREFIXES = ['pgc-', 'pgcluster-', 'automation-'];

const ours = (name) => PREFIXES.some((p) => name.startsWith(p));

/** A process whose working directory or an argument lies under one of our temp dir entries (removed ones too). */
function usesOurs(pid, dir) {
  const within = (path) => {
    if (!path.startsWith(`${dir}/`)) return false;
    return ours(path.slice(dir.length + 1));
  };
  try {
    if (within(readlinkSync(`/proc/${pid}/cwd`))) return true;
  } catch {
    // gone, or not ours to read
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some(within);
  } catch {
    return false;
  }
}

function startTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200);
  } catch {
    return '?';
  }
}

/** The temp dir's entries with our prefixes, and every process using one (pid:start ticks, so a reused PID is new). */
export function snapshot(dir = tmpdir()) {
  const entries = readdirSync(dir).filter(ours).sort();
  const processes = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid && usesOurs(e, dir))
    .map((pid) => `${pid}:${startTicks(pid)}`);
  return { dir, entries, processes };
}

/** What `after` has that `before` did not: entries, and processes (with their command lines). */
export function leftovers(before, after) {
  const entries = after.entries.filter((e) => !before.entries.includes(e));
  const processes = after.processes
    .filter((p) => !before.processes.includes(p))
    .map((p) => ({ pid: Number(p.split(':')[0]), command: commandOf(Number(p.split(':')[0])) }));
  return { entries, processes };
}

/** Compares after the run; processes get a few seconds to finish exiting. Returns the report lines (none: clean). */
export async function checkLeftovers(before, { graceMs = 5000 } = {}) {
  let found = leftovers(before, snapshot(before.dir));
  const deadline = Date.now() + graceMs;
  while ((found.entries.length > 0 || found.processes.length > 0) && Date.now() < deadline) {
    await sleep(250);
    found = leftovers(before, snapshot(before.dir));
  }
  return [
    ...found.entries.map((e) => `file left in ${before.dir}: ${e}`),
    ...found.processes.map((p) => `process left running: ${p.pid} ${p.command}`),
  ];
}
