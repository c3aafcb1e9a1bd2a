/**
 * examples/automation run as a user runs it (`tsx index.ts`, the built `pulumi` first on PATH, a
 * file backend): the Automation API creates two local clusters as two stacks with inline
 * programs, switches one over through its `primary`, reads outputs and destroys both.
 * Ports 22200-22350. Needs `npm run build` and `npm run tools:pulumi`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, cli } from '../helpers/cli';
import { processesUsing } from '../helpers/pg';
import { engineMissing, engineSandbox, type Sandbox } from './support/engine';
import { stageProject, type Project, type Run } from './support/program';

const BASE = 22200;
const CLUSTERS = ['fleet-a', 'fleet-b'];
const skip = engineMissing(['pulumi']);

describe('examples/automation: a fleet through the Automation API', { skip }, () => {
  let sandbox: Sandbox;
  let project: Project;

  before(() => {
    sandbox = engineSandbox('fleet', 'acceptance-fleet');
    project = stageProject(join(ROOT, 'examples', 'automation'), sandbox);
  });

  after(async () => {
    if (sandbox) for (const name of CLUSTERS) await cli(sandbox.stateDir, ['destroy', name]);
    project?.remove();
    sandbox?.cleanup();
  });

  /** The Automation API's workspaces and the fleet's project dirs in the temp dir. */
  const workspaces = () => readdirSync(tmpdir()).filter((e) => /^(automation|pgcluster-fleet)-/.test(e));
  let workspacesBefore: string[] = [];

  test('GIVEN two cluster plans WHEN the program runs THEN both come up, fleet-b switches over, outputs are read and both are destroyed', async () => {
    workspacesBefore = workspaces();
    const { code, output } = await runExample(project.dir, { ...sandbox.env, FLEET_BASE_PORT: String(BASE) });
    assert.equal(code, 0, output);
    for (const [i, name] of CLUSTERS.entries()) {
      const port = BASE + 100 * i;
      const rw = `127.0.0.1:${port + 11},127.0.0.1:${port + 12}`;
      assert.match(output, new RegExp(`^${name}: succeeded, primary ${name}-[12], rw ${rw}$`, 'm'));
      assert.match(output, new RegExp(`^${name}: destroyed$`, 'm'));
    }
    const switched = /^fleet-b: switched over from (fleet-b-[12]) to (fleet-b-[12])$/m.exec(output);
    assert.ok(switched, output);
    assert.notEqual(switched[1], switched[2]);
  });

  test('GIVEN the finished program WHEN the machine and the backend are inspected THEN no process, file or stack is left', async () => {
    for (const name of CLUSTERS) {
      assert.ok(!existsSync(join(sandbox.stateDir, name)), `${name} files left`);
      // A process killed by destroy may still be on its way out on a loaded machine: 10 s of grace.
      const dir = join(sandbox.stateDir, name);
      const deadline = Date.now() + 10_000;
      while (processesUsing(dir).length > 0 && Date.now() < deadline) await sleep(200);
      assert.deepEqual(processesUsing(dir).map(commandLine), [], `${name} processes left`);
    }
    const left = workspaces().filter((e) => !workspacesBefore.includes(e));
    assert.deepEqual(left, [], `workspace directories left in ${tmpdir()}`);
    const stacks = join(sandbox.backendDir, '.pulumi', 'stacks', 'pgcluster-fleet');
    assert.ok(existsSync(stacks), `the stacks were kept in ${stacks}`);
    assert.deepEqual(
      readdirSync(stacks).filter((f) => /\.json(\.gz)?$/.test(f)),
      [],
      'stack files left (removed stacks keep only .bak files)',
    );
  });
});

/** `PID command line` of a process, for the message of a failed check. */
function commandLine(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function runExample(dir: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, 'index.ts'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}
