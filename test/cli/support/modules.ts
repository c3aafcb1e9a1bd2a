/** Which modules a CLI command loads: the built CLI run under support/record-modules.cjs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../../helpers/cli';

const HOOK = join(__dirname, 'record-modules.cjs');

/** The packages (node_modules names) a command loads, with its exit code. */
export function packagesLoaded(
  stateDir: string,
  args: string[],
): { code: number | null; packages: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'pgc-modules-'));
  try {
    const out = join(dir, 'modules.txt');
    const r = spawnSync(process.execPath, ['-r', HOOK, BIN, '--state-dir', stateDir, ...args], {
      env: { ...process.env, PGC_MODULES_OUT: out, PGCLUSTER_STATE_DIR: '' },
      encoding: 'utf8',
    });
    const packages = new Set(
      readFileSync(out, 'utf8')
        .split('\n')
        .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1])
        .filter((p): p is string => p !== undefined),
    );
    return { code: r.status, packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the read-only commands must not load: Pulumi, the AWS and Kubernetes clients, the spec schemas, YAML. */
export const HEAVY = [
  '@pulumi/pulumi',
  '@pulumi/aws',
  '@pulumi/kubernetes',
  '@kubernetes/client-node',
  'zod',
  'yaml',
];
