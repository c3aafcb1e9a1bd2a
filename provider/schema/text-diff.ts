/**
 * A short, diff-like account of how one text differs from another: the changed block between the
 * common first and last lines, `-` for the old lines and `+` for the new, with line numbers.
 */
export function describeTextChange(oldText: string, newText: string, maxLines = 40): string {
  if (oldText === newText) return '';
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const lines = [
    `@@ line ${start + 1} @@`,
    ...a.slice(start, endA).map((line) => `- ${line}`),
    ...b.slice(start, endB).map((line) => `+ ${line}`),
  ];
  const hidden = lines.length - maxLines;
  return hidden > 0
    ? [...lines.slice(0, maxLines), `... ${hidden} more changed lines`].join('\n')
    : lines.join('\n');
}
