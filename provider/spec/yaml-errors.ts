/**
 * A YAML (or JSON) syntax error as one message: the line, the column and the snippet with a caret,
 * as the `yaml` library's prettyErrors shows them, at the place a person must fix. For a bracket
 * or a quote that is never closed, the parser notices only where the text stops making sense (the
 * next key, the end of the file); the message names where it was opened instead. Pure.
 */
import type { YAMLError } from 'yaml';

export interface TextPosition {
  /** 1-based, like the yaml library's linePos. */
  line: number;
  col: number;
}

interface Opened extends TextPosition {
  char: string;
  indent: number;
}

const CLOSER: Record<string, string> = { '{': '}', '[': ']' };
/** What may stand before a flow collection or a quoted scalar that starts a node. */
const NODE_START = /[\s[{,:?-]/;

/**
 * Scans the text for what the parser would have to close: flow brackets (`{`, `[`) and quoted
 * scalars (which may span lines), skipping comments. A closing bracket first on its line closes
 * the bracket opened on a line of the same indentation, so an opener on a deeper line left open
 * before it is the unclosed one (JSON written one key per line).
 */
export function unclosedAt(text: string): { bracket?: Opened; quote?: Opened } {
  const stack: Opened[] = [];
  let bracket: Opened | undefined;
  let quote: Opened | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((content, i) => {
    const line = i + 1;
    const indent = content.length - content.trimStart().length;
    for (let j = 0; j < content.length; j++) {
      const c = content[j] as string;
      const before = j === 0 ? ' ' : (content[j - 1] as string);
      if (quote) {
        if (quote.char === '"' && c === '\\') j++;
        else if (c === quote.char) {
          // '' inside a single-quoted scalar is an escaped quote
          if (c === "'" && content[j + 1] === "'") j++;
          else quote = undefined;
        }
        continue;
      }
      if (c === '#' && /\s/.test(before)) break;
      if ((c === '"' || c === "'") && NODE_START.test(before)) {
        quote = { char: c, line, col: j + 1, indent };
      } else if ((c === '{' || c === '[') && NODE_START.test(before)) {
        stack.push({ char: c, line, col: j + 1, indent });
      } else if (c === '}' || c === ']') {
        if (j === indent)
          while (stack.length > 0 && (stack.at(-1) as Opened).indent > indent) {
            const left = stack.pop() as Opened;
            bracket ??= left;
          }
        while (stack.length > 0 && CLOSER[(stack.at(-1) as Opened).char] !== c) {
          const left = stack.pop() as Opened;
          bracket ??= left;
        }
        stack.pop();
      }
    }
  });
  return { bracket: bracket ?? stack.at(-1), quote };
}

/** The line before and the line itself, numbered, and a caret under the column. */
export function snippet(text: string, at: TextPosition): string {
  const lines = text.split(/\r?\n/);
  const width = String(at.line).length;
  const numbered = (n: number) =>
    `${String(n).padStart(width)} | ${(lines[n - 1] ?? '').replace(/\t/g, ' ')}`;
  return [
    ...(at.line > 1 ? [numbered(at.line - 1)] : []),
    numbered(at.line),
    `${' '.repeat(width)} | ${' '.repeat(Math.max(0, at.col - 1))}^`,
  ].join('\n');
}

function isBefore(a: TextPosition, b: TextPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.col < b.col);
}

/** Where to point and what to say for the first error of a document. */
export function locateYamlError(text: string, error: YAMLError): { at: TextPosition; reason: string } {
  const reported = error.linePos?.[0] ?? { line: 1, col: 1 };
  const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.message;
  const open = unclosedAt(text);
  if (/Flow (map|sequence)/.test(reason) && open.bracket && isBefore(open.bracket, reported)) {
    const { char } = open.bracket;
    return { at: open.bracket, reason: `this ${char} is never closed (a ${CLOSER[char]} is missing)` };
  }
  if (/closing .?quote/i.test(reason) && open.quote && isBefore(open.quote, reported)) {
    return {
      at: open.quote,
      reason: `this ${open.quote.char} is never closed (the closing quote is missing)`,
    };
  }
  return { at: reported, reason };
}

/** One message for a document's syntax errors (the later ones follow from the first). */
export function describeYamlError(text: string, error: YAMLError): string {
  const { at, reason } = locateYamlError(text, error);
  const shown = snippet(text, at)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `not valid YAML or JSON: ${reason} at line ${at.line}, column ${at.col}:\n${shown}`;
}
