/** What the backup tests share: the test S3 server's spec block, pgBackRest as a cluster runs it, archive listings. */
import { LocalPlatform } from '../../provider/platform/local';
import { parseInfo, type StanzaInfo } from '../../provider/backup/info';
import type { PgbackrestResult } from '../../provider/platform/types';

/** Runs a pgBackRest command with a local cluster's own configuration, as the cluster does. */
export async function pgbackrest(stateDir: string, name: string, args: string[]): Promise<PgbackrestResult> {
  const access = await new LocalPlatform(stateDir).access(name);
  return access.pgbackrest!([`--stanza=${name}`, ...args]);
}

export async function stanzaInfo(stateDir: string, name: string): Promise<StanzaInfo> {
  const res = await pgbackrest(stateDir, name, ['--output=json', 'info']);
  if (res.code !== 0) throw new Error(`pgbackrest info exited ${res.code}: ${res.stderr}${res.stdout}`);
  return parseInfo(res.stdout, name);
}

/** WAL segment names (24 hex digits) under an archive listing, by timeline. */
export function segmentsByTimeline(keys: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const key of keys) {
    const m = /\/([0-9A-F]{24})-[0-9a-f]{40}/.exec(key);
    if (!m) continue;
    const seg = m[1] as string;
    const tli = Number.parseInt(seg.slice(0, 8), 16);
    out.set(tli, [...(out.get(tli) ?? []), seg]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Segment numbers missing between the first and the last of one timeline (16 MB segments). */
export function gaps(segments: readonly string[]): string[] {
  const n = (s: string) => BigInt(`0x${s.slice(8, 16)}`) * 256n + BigInt(`0x${s.slice(16, 24)}`);
  const have = new Set(segments.map(n));
  const missing: string[] = [];
  if (segments.length === 0) return missing;
  const first = n(segments[0] as string);
  const last = n(segments.at(-1) as string);
  for (let i = first; i <= last; i++) if (!have.has(i)) missing.push(i.toString(16));
  return missing;
}
