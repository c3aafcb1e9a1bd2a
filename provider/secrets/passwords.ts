/**
 * Resolves the password references of roles[] (fromEnv, fromFile) when `up` runs. The passwords
 * live only in this process's memory: never in cluster.json, never in a process argument.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ClusterSpec } from '../spec/cluster';
import { InputError } from '../errors';

/**
 * Passwords by role name. `baseDir` is the spec file's directory (relative fromFile paths start
 * there). Every problem is reported at once; an empty password is refused.
 */
export function resolvePasswords(
  spec: ClusterSpec,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const out = new Map<string, string>();
  const problems: string[] = [];
  spec.roles.forEach((role, i) => {
    const ref = role.password;
    if (!ref || role.ensure === 'absent') return;
    let value: string | undefined;
    if (ref.fromEnv !== undefined) {
      value = env[ref.fromEnv];
      if (value === undefined)
        problems.push(`roles[${i}].password.fromEnv: environment variable ${ref.fromEnv} is not set`);
    } else if (ref.fromFile !== undefined) {
      const path = isAbsolute(ref.fromFile) ? ref.fromFile : resolve(baseDir, ref.fromFile);
      try {
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        problems.push(
          `roles[${i}].password.fromFile: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
    if (value === '')
      problems.push(`roles[${i}].password: the password of ${JSON.stringify(role.name)} is empty`);
    else if (value !== undefined) out.set(role.name, value);
  });
  if (problems.length > 0)
    throw new InputError(`cannot read role passwords:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}
