/**
 * What the CLI prints, as text files under test/fixtures/cli/<name>.txt: written when missing
 * (except under CI, where a missing one fails), rewritten with UPDATE_SNAPSHOTS=1. Review them
 * like code: they are the messages a person reads.
 */
import { join } from 'node:path';
import { matchSnapshot } from '../../helpers/snapshot';

const DIR = join(__dirname, '..', '..', 'fixtures', 'cli');

export function matchText(name: string, text: string): void {
  matchSnapshot(name, text, { dir: DIR, ext: '.txt' });
}

/** Replaces what changes from run to run: the state dir, elapsed times, durations, PIDs. */
export function stable(text: string, replacements: Record<string, string> = {}): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
  return out.replace(/\[\s*\d+\.\d+s\]/g, '[ T ]').replace(/\b\d+\.\d+ s\b/g, 'N s');
}
