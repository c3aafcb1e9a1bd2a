import { closest, distance } from 'fastest-levenshtein';

/** One problem in a spec: where it is and what is wrong, written for a person. */
export interface SpecIssue {
  /** Dotted path of the field, e.g. `synchronous.number` or `pgHba[2]`. */
  path: string;
  message: string;
}

/** A spec that cannot be applied. Carries every problem found, not only the first. */
export class SpecError extends Error {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    super(`invalid cluster spec${where}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'SpecError';
    this.issues = issues;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(spec)';
}

/** Shows a value the way a person wrote it: strings quoted, objects as compact JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** "did you mean ..." for a mistyped key, only when a known key is close enough. */
export function didYouMean(key: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(key, known as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(key.toLowerCase(), best.toLowerCase()) <= limit ? ` (did you mean "${best}"?)` : '';
}
