import type { z } from 'zod';
import { didYouMean, formatPath, showValue, type SpecIssue } from './errors';
import { otherToolsName } from './other-tools';

type AnySchema = z.core.$ZodType;

/** Unwraps optional/default/prefault/nullable wrappers down to the schema that holds the shape. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: AnySchema; type: string };
    if (def.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly'].includes(def.type)) {
      current = def.innerType;
    } else return current;
  }
}

/** The keys an object schema accepts at `path`, for "did you mean" and "allowed keys". */
export function knownKeysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  let schema: AnySchema | undefined = unwrap(root);
  for (const part of path) {
    if (!schema) return [];
    const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    if (def.type === 'object' && def.shape && typeof part === 'string') schema = def.shape[part];
    else if (def.type === 'array' && def.element) schema = def.element;
    else return [];
    schema = schema && unwrap(schema);
  }
  const def = schema?._zod.def as { type: string; shape?: Record<string, AnySchema> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function bound(issue: { inclusive?: boolean }, op: '>' | '<'): string {
  return issue.inclusive === false ? op : `${op}=`;
}

/** Turns zod's issues into messages that name the field, the value and what is allowed. */
export function describeZodIssues(root: AnySchema, error: z.core.$ZodError, input: unknown): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(root, issue.path);
        const at = issue.path.length > 0 ? formatPath(issue.path) : '';
        for (const key of issue.keys) {
          // Another tool's name: the pgcluster key it means is the whole answer.
          const other = otherToolsName(at, key);
          out.push({
            path: formatPath([...issue.path, key]),
            message: other
              ? `unknown key (did you mean "${other.means}"? ${other.whose})`
              : `unknown key${didYouMean(key, known)}; allowed keys here: ${known.join(', ')}`,
          });
        }
        break;
      }
      case 'invalid_type':
        out.push({
          path,
          message:
            value === undefined
              ? `is required (${issue.expected})`
              : `${showValue(value)} is not allowed: expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`,
        });
        break;
      case 'too_small':
        out.push({
          path,
          message: `${showValue(value)} is not allowed: must be ${issue.origin === 'array' || issue.origin === 'string' ? 'of length ' : ''}${bound(issue, '>')} ${String(issue.minimum)}`,
        });
        break;
      case 'too_big':
        out.push({
          path,
          message: `${showValue(value)} is not allowed: must be ${issue.origin === 'array' || issue.origin === 'string' ? 'of length ' : ''}${bound(issue, '<')} ${String(issue.maximum)}`,
        });
        break;
      case 'invalid_value':
        out.push({
          path,
          message: `${showValue(value)} is not allowed: must be one of ${issue.values.map((v) => showValue(v)).join(', ')}`,
        });
        break;
      case 'invalid_union': {
        // e.g. a YAML key left empty (null) where a string, number or boolean is expected
        const expected = new Set(
          issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : [])),
        );
        out.push({
          path,
          message: `${showValue(value)} is not allowed: ${expected.size > 0 ? `expected one of ${[...expected].join(', ')}` : issue.message}`,
        });
        break;
      }
      default:
        out.push({ path, message: `${showValue(value)} is not allowed: ${issue.message}` });
    }
  }
  return out;
}
