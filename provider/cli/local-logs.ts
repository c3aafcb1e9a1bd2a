/**
 * `pgcluster logs NAME [MEMBER] [--tail N] [--follow]` for a local cluster, and `pgcluster report
 * NAME`: one archive with the spec, the Patroni configuration, the status, the logs and pg_settings,
 * secrets redacted (every `password:` value in patroni.yml; the spec holds references only).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors';
import type { LocalPlatform } from '../platform/local';

interface LogFile {
  label: string;
  path: string;
}

/** The files worth reading for one member: its supervisor/Patroni log and its newest PostgreSQL log. */
function memberLogs(platform: LocalPlatform, name: string, member: string): LogFile[] {
  const dir = join(platform.stateDir, name, 'members', member);
  const out: LogFile[] = [{ label: `${member} patroni`, path: join(dir, 'patroni.log') }];
  const pgLogs = join(dir, 'log');
  if (existsSync(pgLogs)) {
    const newest = readdirSync(pgLogs)
      .map((f) => ({ f, t: statSync(join(pgLogs, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)[0];
    if (newest) out.push({ label: `${member} postgresql`, path: join(pgLogs, newest.f) });
  }
  return out;
}

function clusterLogs(platform: LocalPlatform, name: string, members: string[]): LogFile[] {
  const root = join(platform.stateDir, name);
  return [
    ...members.flatMap((m) => memberLogs(platform, name, m)),
    { label: 'pooler', path: join(root, 'pooler', 'pgbouncer.log') },
    { label: 'etcd', path: join(root, 'etcd', 'etcd.log') },
    { label: 'keeper', path: join(root, 'keeper.log') },
  ].filter((l) => existsSync(l.path));
}

function lastLines(path: string, n: number): string[] {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return lines.slice(-n);
}

export async function localLogs(
  platform: LocalPlatform,
  name: string,
  opts: { member?: string; tail: number; follow: boolean },
): Promise<void> {
  const runtime = await platform.runtime(name);
  if (!runtime.exists) throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  const members = runtime.members.map((m) => m.name);
  if (opts.member && !members.includes(opts.member))
    throw new InputError(`${opts.member}: not a member of ${name}; members are ${members.join(', ')}`);
  const files = opts.member ? memberLogs(platform, name, opts.member) : clusterLogs(platform, name, members);
  for (const f of files) {
    process.stdout.write(`==> ${f.label} (${f.path}) <==\n`);
    for (const line of lastLines(f.path, opts.tail)) process.stdout.write(`${line}\n`);
  }
  if (!opts.follow) return;
  const offsets = new Map(files.map((f) => [f.path, statSync(f.path).size]));
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.once('SIGTERM', () => (stop = true));
  while (!stop) {
    await new Promise((r) => setTimeout(r, 500));
    for (const f of files) {
      const size = existsSync(f.path) ? statSync(f.path).size : 0;
      const from = offsets.get(f.path) ?? 0;
      if (size < from) offsets.set(f.path, 0); // rotated or truncated
      if (size <= from) continue;
      const text = readFileSync(f.path).subarray(from, size).toString('utf8');
      offsets.set(f.path, size);
      for (const line of text.split('\n').filter((l) => l.length > 0))
        process.stdout.write(`[${f.label}] ${line}\n`);
    }
  }
}

/** patroni.yml and friends with every password (and the replication URI's) replaced. */
export function redact(text: string): string {
  return text
    .replace(/^(\s*password:\s*).*$/gim, '$1<redacted>')
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1<redacted>@');
}

export async function localReport(platform: LocalPlatform, name: string, output?: string): Promise<string> {
  const runtime = await platform.runtime(name);
  if (!runtime.exists || !runtime.spec)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  const file = resolve(
    output ?? `pgcluster-report-${name}-${new Date().toISOString().replace(/[:.]/g, '')}.tar.gz`,
  );
  const work = mkdtempSync(join(tmpdir(), 'pgc-report-'));
  try {
    const dir = join(work, `report-${name}`);
    const write = (rel: string, text: string) => {
      const path = join(dir, rel);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, text, { mode: 0o600 });
    };
    write('spec.json', `${JSON.stringify(runtime.spec, null, 2)}\n`);
    const { status } = await import('../actions/status');
    write('status.json', `${JSON.stringify(await status(platform, name), null, 2)}\n`);
    const access = await platform.access(name);
    const { getDynamicConfig } = await import('../patroni/api');
    for (const url of Object.values(access.apiUrls())) {
      const config = await getDynamicConfig(url).catch(() => undefined);
      if (config) {
        write('patroni-dynamic-config.json', `${JSON.stringify(config, null, 2)}\n`);
        break;
      }
    }
    for (const m of runtime.members) {
      const yml = join(platform.stateDir, name, 'members', m.name, 'patroni.yml');
      if (existsSync(yml)) write(`members/${m.name}/patroni.yml`, redact(readFileSync(yml, 'utf8')));
    }
    for (const f of clusterLogs(
      platform,
      name,
      runtime.members.map((m) => m.name),
    ))
      write(`logs/${f.label.replace(/ /g, '-')}.log`, redact(lastLines(f.path, 5000).join('\n') + '\n'));
    const ini = join(platform.stateDir, name, 'pooler', 'pgbouncer.ini');
    if (existsSync(ini)) write('pooler/pgbouncer.ini', readFileSync(ini, 'utf8'));
    try {
      const { connectTo, withClient } = await import('../sql/connect');
      const { reachMember } = await import('../platform/reach');
      const { getCluster } = await import('../patroni/api');
      const { isRunningLeader } = await import('../patroni/roles');
      const leader = (await getCluster(Object.values(access.apiUrls())))?.members.find(isRunningLeader);
      if (leader) {
        const rows = await withClient(
          await connectTo(await reachMember(access, leader), access.superuser()),
          async (c) =>
            (
              await c.query<Record<string, string>>(
                'select name, setting, unit, source, pending_restart from pg_settings order by name',
              )
            ).rows,
        );
        write(
          'pg_settings.tsv',
          [
            'name\tsetting\tunit\tsource\tpending_restart',
            ...rows.map((r) => `${r.name}\t${r.setting}\t${r.unit ?? ''}\t${r.source}\t${r.pending_restart}`),
          ].join('\n') + '\n',
        );
      }
    } catch (e) {
      write('pg_settings.error.txt', `${(e as Error).message}\n`);
    }
    const tar = spawnSync('tar', ['-czf', file, '-C', work, `report-${name}`], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
