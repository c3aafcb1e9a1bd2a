import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

/** Writes a spec as YAML into the state dir's parent-free temp area and returns its path. */
export function writeSpec(dir: string, spec: Record<string, unknown>, file = 'cluster.yaml'): string {
  const path = join(dir, file);
  writeFileSync(path, YAML.stringify(spec));
  return path;
}
