// A fleet of local PostgreSQL clusters driven by the Automation API: one stack per cluster, each
// with an inline program. Creates both clusters, switches one over by setting its `primary`,
// reads the outputs, and destroys both.
//
// Needs the `pulumi` CLI on PATH and a backend, for example:
//   PULUMI_BACKEND_URL=file://$HOME/.pulumi-fleet PULUMI_CONFIG_PASSPHRASE=... npx tsx index.ts
// FLEET_BASE_PORT (default 15500) moves the clusters' ports: fleet-a uses it, fleet-b 100 above.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWorkspace, type OutputMap } from '@pulumi/pulumi/automation';
import { PostgresCluster } from 'pulumi-pgcluster';

interface ClusterPlan {
  name: string;
  basePort: number;
  primary?: string;
}

const base = Number(process.env.FLEET_BASE_PORT ?? 15500);
const fleet: ClusterPlan[] = [
  { name: 'fleet-a', basePort: base },
  { name: 'fleet-b', basePort: base + 100 },
];

/** The inline program of one stack: one 2-member cluster, its primary and endpoints as outputs. */
function program(plan: ClusterPlan) {
  return async () => {
    const cluster = new PostgresCluster(plan.name, {
      instances: 2,
      platform: { local: { basePort: plan.basePort } },
      primary: plan.primary,
    });
    return { primary: cluster.primary, endpoints: cluster.endpoints };
  };
}

/**
 * Each stack's project directory. Without one, every workspace the Automation API creates makes a
 * temp directory of its own (automation-XXXXXX) and leaves it behind; this one goes with the stack.
 */
const workDirs = new Map<string, string>();
function workDirOf(plan: ClusterPlan): string {
  let dir = workDirs.get(plan.name);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), `pgcluster-fleet-${plan.name}-`));
    workDirs.set(plan.name, dir);
  }
  return dir;
}

function stackOf(plan: ClusterPlan) {
  return LocalWorkspace.createOrSelectStack(
    { projectName: 'pgcluster-fleet', stackName: plan.name, program: program(plan) },
    { workDir: workDirOf(plan) },
  );
}

async function deploy(plan: ClusterPlan): Promise<OutputMap> {
  const result = await (await stackOf(plan)).up();
  const { primary, endpoints } = result.outputs;
  console.log(`${plan.name}: ${result.summary.result}, primary ${primary?.value}, rw ${endpoints?.value.rw}`);
  return result.outputs;
}

async function destroy(plan: ClusterPlan): Promise<void> {
  const stack = await stackOf(plan);
  await stack.destroy();
  await stack.workspace.removeStack(plan.name);
  rmSync(workDirOf(plan), { recursive: true, force: true });
  workDirs.delete(plan.name);
  console.log(`${plan.name}: destroyed`);
}

async function main(): Promise<void> {
  try {
    await Promise.all(fleet.map(deploy));
    // Switch fleet-b over: name another member as its primary and run `up` again.
    const b = fleet[1] as ClusterPlan;
    const before = String((await (await stackOf(b)).outputs()).primary?.value);
    b.primary = before === `${b.name}-1` ? `${b.name}-2` : `${b.name}-1`;
    const after = await deploy(b);
    console.log(`${b.name}: switched over from ${before} to ${after.primary?.value}`);
  } finally {
    await Promise.all(fleet.map(destroy));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
