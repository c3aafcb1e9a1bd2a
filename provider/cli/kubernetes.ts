/**
 * The CLI's commands on a cluster on Kubernetes (the target's options are in ./kubernetes-target):
 * the same actions as on the local platform, through KubernetesCliPlatform. Loaded only when a
 * Kubernetes target is given: it brings the Kubernetes client.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors';
import { KubernetesCliPlatform, type KubernetesTarget } from '../platform/kubernetes/cli-platform';
import { status, type ClusterStatus } from '../actions/status';
import { switchover } from '../actions/switchover';
import { clusterUris, uri } from '../actions/uri';
import { uriTlsQuery } from '../render/tls';
import { getCluster } from '../patroni/api';
import { isLeaderRole } from '../patroni/roles';
import { consoleReporter } from '../report/reporter';
import { renderStatusTable } from './status-table';
import { colours } from './colour';
import { PG_PORT } from '../render/kubernetes/patroni-config';
import { portForwarder } from '../platform/kubernetes/port-forward';

async function withPlatform<T>(
  target: KubernetesTarget,
  run: (p: KubernetesCliPlatform) => Promise<T>,
): Promise<T> {
  const platform = new KubernetesCliPlatform(target);
  try {
    return await run(platform);
  } finally {
    await platform.close();
  }
}

export async function kubernetesStatus(target: KubernetesTarget, name: string, json: boolean): Promise<void> {
  const result = await withPlatform(target, async (platform) => {
    const s: ClusterStatus = await status(platform, name);
    const access = await platform.access(name);
    // Endpoints as clients inside the cluster reach them, not the CLI's port-forwards.
    const tls = (await platform.spec(name)).caCert !== undefined;
    const services = platform.serviceEndpoints(name, await platform.hasPooler(name), tls);
    const uris = clusterUris(services, access.app());
    return {
      ...s,
      members: s.members.map((m) => ({ ...m, host: m.name, port: PG_PORT })),
      endpoints: {
        rw: uris.rw,
        ro: uris.ro,
        r: uri(services.r, access.app(), uriTlsQuery(services.caFile), false),
        pooler: uris.pooler ?? null,
      },
    };
  });
  process.stdout.write(
    json
      ? `${JSON.stringify(result, null, 2)}\n`
      : renderStatusTable(result, { paint: colours(process.stdout) }),
  );
}

export async function kubernetesSwitchover(
  target: KubernetesTarget,
  name: string,
  to?: string,
): Promise<void> {
  await withPlatform(target, async (platform) => {
    const { spec } = await platform.spec(name);
    await switchover(platform, await platform.access(name), spec, to, consoleReporter());
  });
}

export async function kubernetesUri(
  target: KubernetesTarget,
  name: string,
  opts: { ro?: boolean; pooler?: boolean; superuser?: boolean },
): Promise<string> {
  return withPlatform(target, async (platform) => {
    if (opts.pooler && opts.superuser)
      throw new InputError(
        '--pooler --superuser: the pooler serves the application owner only, not the superuser',
      );
    const pooler = await platform.hasPooler(name);
    if (opts.pooler && !pooler) throw new InputError(`--pooler: cluster "${name}" has no pooler`);
    const access = await platform.access(name);
    const tls = (await platform.spec(name)).caCert !== undefined;
    const uris = clusterUris(
      platform.serviceEndpoints(name, pooler, tls),
      opts.superuser ? access.superuser() : access.app(),
      true,
    );
    return (opts.pooler ? uris.pooler : opts.ro ? uris.ro : uris.rw) as string;
  });
}

/**
 * The conninfo psql gets through a port-forward at 127.0.0.1:port: under tls (the cluster's CA
 * given as a file) verify-full, which the server certificate passes (it names 127.0.0.1).
 */
export function portForwardConninfo(user: string, database: string, port: number, caFile?: string): string {
  const query = uriTlsQuery(caFile);
  return `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
}

/**
 * psql through a port-forward to the primary (or a replica with --ro); the password goes through
 * the environment. Under tls it verifies the member by the CA (written to a private temporary file
 * for the session; the CA is public, the directory is the user's only).
 */
export async function kubernetesPsql(
  target: KubernetesTarget,
  name: string,
  args: string[],
  opts: { ro?: boolean; superuser?: boolean },
): Promise<number> {
  return withPlatform(target, async (platform) => {
    const access = await platform.access(name);
    const cluster = await getCluster(Object.values(access.apiUrls()));
    const member = cluster?.members.find((m) =>
      opts.ro ? !isLeaderRole(m.role) && m.state === 'streaming' : isLeaderRole(m.role),
    );
    if (!member)
      throw new InputError(`cluster ${name} has no ${opts.ro ? 'streaming replica' : 'primary'} now`);
    const { caCert } = await platform.spec(name);
    const caDir = caCert ? mkdtempSync(join(tmpdir(), 'pgcluster-psql-')) : undefined;
    const caFile = caDir ? join(caDir, 'ca.crt') : undefined;
    if (caFile) writeFileSync(caFile, caCert as string, { mode: 0o600 });
    const forwarder = portForwarder(target.namespace, platform.config);
    try {
      const port = await forwarder.local(member.name, PG_PORT);
      const creds = opts.superuser ? access.superuser() : access.app();
      const child = spawn('psql', [portForwardConninfo(creds.user, creds.database, port, caFile), ...args], {
        stdio: 'inherit',
        env: { ...process.env, PGPASSWORD: creds.password },
      });
      return await new Promise<number>((resolve, reject) => {
        child.once('error', (e) =>
          reject(new InputError(`cannot run psql: ${e.message} (package postgresql-client)`)),
        );
        child.once('exit', (code) => resolve(code ?? 1));
      });
    } finally {
      await forwarder.close();
      if (caDir) rmSync(caDir, { recursive: true, force: true });
    }
  });
}

export async function kubernetesLogs(
  target: KubernetesTarget,
  name: string,
  opts: { member?: string; tail: number },
): Promise<string> {
  return withPlatform(target, (p) => p.logs(name, opts));
}

/** The cluster's spec (read from its objects) and access, for the backup commands; close() when done. */
export async function kubernetesCluster(target: KubernetesTarget, name: string) {
  const platform = new KubernetesCliPlatform(target);
  try {
    const { spec } = await platform.spec(name);
    return { spec, access: await platform.access(name), close: () => platform.close() };
  } catch (e) {
    await platform.close();
    throw e;
  }
}
