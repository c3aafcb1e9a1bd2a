import YAML from 'yaml';
import { clusterSpecSchema, type ClusterSpec } from './cluster';
import { SpecError } from './errors';
import { checkRules } from './rules';
import { describeZodIssues } from './zod-issues';

/** Validates a spec object: schema first, then the cross-field rules. Throws SpecError listing every problem. */
export function parseSpec(input: unknown, source?: string): ClusterSpec {
  const result = clusterSpecSchema.safeParse(input);
  if (!result.success) throw new SpecError(describeZodIssues(clusterSpecSchema, result.error, input), source);
  const issues = checkRules(result.data);
  if (issues.length > 0) throw new SpecError(issues, source);
  return result.data;
}

/** Parses spec text, YAML or JSON (JSON is YAML), then validates it. */
export function parseSpecText(text: string, source?: string): ClusterSpec {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => ({
        path: '(file)',
        message: `not valid YAML or JSON: ${e.message.split('\n')[0]}`,
      })),
      source,
    );
  }
  return parseSpec(doc.toJS(), source);
}
