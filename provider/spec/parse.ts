import YAML from 'yaml';
import { clusterSpecSchema, type ClusterSpec } from './cluster';
import { SpecError } from './errors';
import { checkRules } from './rules';
import { describeZodIssues } from './zod-issues';
import { describeYamlError } from './yaml-errors';

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
  const [first] = doc.errors;
  // One message: the errors after the first follow from it.
  if (first) throw new SpecError([{ path: '(file)', message: describeYamlError(text, first) }], source);
  return parseSpec(doc.toJS(), source);
}
