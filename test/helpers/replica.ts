/** Two clusters of one group (spec.replica) in tests: their specs, their data, their identities. */
import { cli, type CliResult } from './cli';
import { perHost, query, statusOf, uriOf } from './pg';
import { writeSpec } from './spec-file';

export interface Site {
  name: string;
  basePort: number;
  /** platform.local.host (a network namespace's address), when not the loopback. */
  host?: string;
  /** Runs the CLI for this site (e.g. inside its network namespace). */
  run?: (args: string[]) => Promise<CliResult>;
}

/** Writes the spec of `site` in its group: `primary` names the group's primary cluster, `source` the other. */
export function groupSpec(
  dir: string,
  site: Site,
  other: Site,
  primary: string,
  extra: Record<string, unknown> = {},
  force = false,
): string {
  return writeSpec(
    dir,
    {
      name: site.name,
      instances: 3,
      platform: {
        local: {
          basePort: site.basePort,
          ...(site.host ? { host: site.host, allowedNetworks: ['10.246.0.0/16'] } : {}),
        },
      },
      replica: { primary, source: { cluster: other.name }, ...(force ? { force } : {}) },
      ...extra,
    },
    `${site.name}.yaml`,
  );
}

export function up(stateDir: string, site: Site, file: string): Promise<CliResult> {
  const args = ['up', '-f', file];
  return site.run ? site.run(args) : cli(stateDir, args);
}

/**
 * One superuser URI per member of the cluster (each member alone, whatever its role). A cluster with
 * a superuser password of its own: over TCP; a replica cluster (none): over each member's socket
 * (peer authentication, this process runs as root).
 */
export async function memberUris(stateDir: string, name: string): Promise<string[]> {
  const uri = await uriOf(stateDir, name, '--superuser');
  const sockets = socketMembers(uri);
  if (sockets)
    return sockets.map(({ dir, port }) => `postgresql://postgres@/postgres?host=${dir}&port=${port}`);
  return perHost(uri.replace(/\?.*$/, ''));
}

/** The members of a URI over sockets (`?host=/a,/b&port=1,2`), or undefined for a TCP URI. */
function socketMembers(uri: string): Array<{ dir: string; port: string }> | undefined {
  if (!/^postgresql:\/\/[^@]+@\//.test(uri)) return undefined;
  const query = new URL(uri.replace(/^postgresql:/, 'http:').replace('@/', '@x/')).searchParams;
  const dirs = (query.get('host') ?? '').split(',');
  const ports = (query.get('port') ?? '').split(',');
  return dirs.map((dir, i) => ({ dir, port: ports[i] as string }));
}

/** The member's port in one of memberUris. */
function portOf(uri: string): string | undefined {
  return /[?&]port=(\d+)/.exec(uri)?.[1] ?? /:(\d+)\//.exec(uri)?.[1];
}

/**
 * A multi-host URI over the members of several clusters, as the superuser with the password of the
 * first that has one (the group's catalog is one): writes follow whichever is the primary.
 */
export async function groupUri(stateDir: string, names: string[]): Promise<string> {
  const hosts: string[] = [];
  let prefix = '';
  for (const name of names) {
    const su = /^(postgresql:\/\/[^@]+:[^@]+@)[^/]+\//.exec(await uriOf(stateDir, name, '--superuser'));
    if (!prefix && su) prefix = su[1] as string;
    // The members' TCP addresses (the application's URI lists them all).
    for (const uri of perHost(await uriOf(stateDir, name)))
      hosts.push((/^postgresql:\/\/[^@]+@([^/]+)\//.exec(uri) as RegExpExecArray)[1] as string);
  }
  if (!prefix) throw new Error(`none of ${names.join(', ')} has a superuser password`);
  return `${prefix}${hosts.join(',')}/postgres`;
}

/** The URI of the cluster's leader (its primary, or its standby leader). */
export async function leaderUri(stateDir: string, name: string, database = 'postgres'): Promise<string> {
  const s = await statusOf(stateDir, name);
  const leader = s.members.find((m) => m.role === 'primary' || m.role === 'standby-leader');
  if (!leader) throw new Error(`${name} has no leader: ${JSON.stringify(s.members)}`);
  const uri = (await memberUris(stateDir, name)).find((u) => portOf(u) === String(leader.port));
  if (!uri) throw new Error(`no URI for ${leader.name}`);
  return uri.replace(/@([^/]*)\/postgres(?=$|\?)/, `@$1/${database}`);
}

/** A checksum of the table's rows and their count, as one member has them. */
export async function tableChecksum(uri: string, table: string): Promise<{ n: string; md5: string }> {
  const [row] = await query<{ n: string; md5: string }>(
    uri,
    `select count(*)::text as n, coalesce(md5(string_agg(id::text, ',' order by id)), '') as md5 from ${table}`,
  );
  return row as { n: string; md5: string };
}

/** Ids of `table` that the member has. */
export async function idsOn(uri: string, table: string): Promise<Set<number>> {
  return new Set((await query<{ id: number }>(uri, `select id from ${table}`)).map((r) => r.id));
}

/** pg_control's system identifier: the same on every copy of one cluster, new on a re-clone by initdb. */
export async function systemIdentifier(uri: string): Promise<string> {
  const [row] = await query<{ id: string }>(
    uri,
    'select system_identifier::text as id from pg_control_system()',
  );
  return (row as { id: string }).id;
}
