/**
 * Validates PostgresCluster args with the same zod schemas and rules as the CLI. Known args are
 * checked before anything is registered; args holding Outputs are checked once they resolve.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseSpec, SpecError, type ClusterSpec } from '../spec';

/** Where in the args an Output or Promise hides, if anywhere. */
export function firstUnknownPath(value: unknown, path = ''): string | undefined {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return path || '(args)';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUnknownPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = firstUnknownPath(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

export function specError(resourceName: string, e: unknown, resource?: pulumi.Resource): Error {
  if (e instanceof SpecError) {
    const lines = e.issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    return new pulumi.ResourceError(`PostgresCluster ${resourceName}: invalid args:\n${lines}`, resource);
  }
  return e as Error;
}

export function validateKnownArgs(resourceName: string, args: Record<string, unknown>): ClusterSpec {
  try {
    return parseSpec({ name: resourceName, ...args });
  } catch (e) {
    throw specError(resourceName, e);
  }
}
