/** min / median / max of a metric, and the plain-text tables the benches print. */
export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { n: v.length, min: v[0] as number, median, max: v[v.length - 1] as number };
}

/** "1.2 / 1.5 / 2.0" with `digits` decimals, or "-" when there is no figure. */
export function minMedMax(s: Summary | undefined, digits = 1, scale = 1): string {
  if (!s) return '-';
  const f = (x: number) => (x * scale).toFixed(digits);
  return `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const seconds = (ms: number) => ms / 1000;
