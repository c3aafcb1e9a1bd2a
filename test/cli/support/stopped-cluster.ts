/**
 * A local cluster as `pgcluster down` leaves it, without running one: its record (cluster.json,
 * the parsed spec, member slots) and its secrets, written by the platform's own writers. Enough
 * for status, uri, list and the exit codes, in milliseconds.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../../provider/spec';
import { ensureSecrets, writeRecord } from '../../../provider/platform/local/state';

export function writeStoppedCluster(
  stateDir: string,
  spec: Record<string, unknown>,
  specFile?: string,
): void {
  const parsed = parseSpec(spec);
  const root = join(stateDir, parsed.name);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  ensureSecrets(join(root, 'secrets.json'));
  writeRecord(join(root, 'cluster.json'), {
    name: parsed.name,
    spec: parsed,
    slots: Array.from({ length: parsed.instances }, (_, i) => i + 1),
    createdAt: '2026-01-01T00:00:00.000Z',
    ...(specFile ? { specFile } : {}),
  });
}
