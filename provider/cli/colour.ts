/**
 * Colour only where a person reads it: on a terminal, unless NO_COLOR is set (no-color.org: any
 * non-empty value) or TERM is dumb; FORCE_COLOR (not 0/false) forces it, for tools that page.
 * The escape codes come from picocolors; the decision is ours, per stream (stdout and stderr
 * can go to different places).
 */
import { createColors } from 'picocolors';

export type Colours = ReturnType<typeof createColors>;

export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '')
    return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function colours(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colours {
  return createColors(colourEnabled(stream, env));
}
