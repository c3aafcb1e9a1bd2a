/**
 * Where the member-side scripts (provider/platform/local/scripts) are: beside the compiled code
 * when a build copied them, else in the source tree. The local platform copies them into a
 * cluster's state dir; the kubernetes platform ships the clone script in a ConfigMap.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function scriptsSource(): string {
  const beside = join(__dirname, 'scripts');
  return existsSync(beside)
    ? beside
    : join(__dirname, '..', '..', '..', 'provider', 'platform', 'local', 'scripts');
}

/** The text of one of them. */
export function scriptText(name: string): string {
  return readFileSync(join(scriptsSource(), name), 'utf8');
}
