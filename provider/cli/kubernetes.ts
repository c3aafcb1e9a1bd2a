/**
 * The CLI's commands on a cluster on Kubernetes (the target's options are in ./kubernetes-target):
 * the same actions as on the local platform, through KubernetesCliPlatform. Loaded only when a
 * Kubernetes target is given: it brings the Kubernetes client.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, InputError } from '../errors';
import { KubernetesCliPlatform, type KubernetesTarget } from '../platform/kubernetes/cli-platform';
import { status, type ClusterStatus } from '../actions/status';
import { pickCandidate, switchover } from '../actions/switchover';
import { clusterUris, uri } from '../actions/uri';
import { uriTlsQuery } from '../render/tls';
import { kubernetesNames } from '../naming';
import { SUPERUSER_CERT_KEYS } from '../render/kubernetes/secrets';
import { getCluster, getDynamicConfig, getJson } from '../patroni/api';
import { isLeaderRole, isRunningLeader } from '../patroni/roles';
import { memberNames } from '../platform/kubernetes/access';
import { readFenced, writeFenced } from '../platform/kubernetes/fencing';
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
    if (opts.superuser && access.superuser().ssl?.cert)
      throw new InputError(
        `--superuser: the superuser of replica cluster ${name} logs in by its client certificate (Secret ${kubernetesNames(name).superuserSecret}, keys ${SUPERUSER_CERT_KEYS.cert} and ${SUPERUSER_CERT_KEYS.key}), which a URI cannot carry: use pgcluster psql --superuser, or give libpq those files as sslcert and sslkey`,
      );
    const uris = clusterUris(
      platform.serviceEndpoints(name, pooler, tls),
      opts.superuser ? access.superuser() : access.app(),
      true,
    );
    return (opts.pooler ? uris.pooler : opts.ro ? uris.ro : uris.rw) as string;
  });
}

/** A file path in a URI's query (its slashes kept). */
const uriPath = (file: string) => encodeURIComponent(file).replace(/%2F/g, '/');

/**
 * The conninfo psql gets through a port-forward at 127.0.0.1:port: under tls (the cluster's CA
 * given as a file) verify-full, which the server certificate passes (it names 127.0.0.1).
 */
export function portForwardConninfo(
  user: string,
  database: string,
  port: number,
  caFile?: string,
  /** A client certificate and its key (files) to log in with. */
  client?: { certFile: string; keyFile: string },
): string {
  const files = client ? `&sslcert=${uriPath(client.certFile)}&sslkey=${uriPath(client.keyFile)}` : '';
  const query = `${uriTlsQuery(caFile)}${caFile ? files : ''}`;
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
    const creds = opts.superuser ? access.superuser() : access.app();
    const caDir = caCert ? mkdtempSync(join(tmpdir(), 'pgcluster-psql-')) : undefined;
    const caFile = caDir ? join(caDir, 'ca.crt') : undefined;
    if (caFile) writeFileSync(caFile, caCert as string, { mode: 0o600 });
    // A replica cluster's superuser: its client certificate, in the same private directory (0600).
    const client =
      caDir && creds.ssl?.cert && creds.ssl.key
        ? { certFile: join(caDir, 'client.crt'), keyFile: join(caDir, 'client.key') }
        : undefined;
    if (client) {
      writeFileSync(client.certFile, creds.ssl!.cert!, { mode: 0o600 });
      writeFileSync(client.keyFile, creds.ssl!.key!, { mode: 0o600 });
    }
    const forwarder = portForwarder(target.namespace, platform.config);
    try {
      const port = await forwarder.local(member.name, PG_PORT);
      const conninfo = portForwardConninfo(creds.user, creds.database, port, caFile, client);
      const child = spawn('psql', [conninfo, ...args], {
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

/**
 * `pgcluster fence|unfence NAME MEMBER` on Kubernetes: the fencing ConfigMap's list changed (after a
 * switchover through the pooler when the member is the primary), then the effect waited for.
 */
export async function kubernetesFence(
  target: KubernetesTarget,
  name: string,
  member: string,
  fence: boolean,
): Promise<void> {
  const reporter = consoleReporter();
  const started = Date.now();
  await withPlatform(target, async (platform) => {
    const { spec } = await platform.spec(name);
    const members = memberNames(spec);
    if (!members.includes(member))
      throw new InputError(`${member}: not a member of ${name}; members are ${members.join(', ')}`);
    const fenced = await readFenced(platform.config, target.namespace, name);
    if (fence && fenced.includes(member))
      return reporter.done(`${member} is already fenced: nothing to change`);
    if (!fence && !fenced.includes(member))
      throw new InputError(
        `${member}: not fenced; fenced members of ${name}: ${fenced.length ? fenced.join(', ') : 'none'}`,
      );
    const next = fence ? [...fenced, member] : fenced.filter((m) => m !== member);
    const access = await platform.access(name);
    const urls = access.apiUrls();
    const cluster = await getCluster(Object.values(urls));
    if (fence) {
      // As spec.fenced: a primary and synchronous.number (Patroni's synchronous_node_count) standbys
      // must stay unfenced. Not the members Patroni names synchronous: under quorum every replica is.
      let config: Record<string, unknown> = {};
      for (const url of Object.values(urls)) {
        const c = await getDynamicConfig(url).catch(() => undefined);
        if (c) {
          config = c;
          break;
        }
      }
      const syncMode = (config as { synchronous_mode?: unknown }).synchronous_mode;
      const sync =
        syncMode === true || syncMode === 'on' || syncMode === 'quorum'
          ? Number((config as { synchronous_node_count?: number }).synchronous_node_count ?? 1)
          : 0;
      const needed = 1 + sync;
      if (members.length - next.length < needed)
        throw new InputError(
          `fence ${member}: ${next.length} fenced of ${members.length} is not allowed: at least ${needed} member(s) must stay unfenced (a primary${sync ? ` and ${sync} synchronous standby(s)` : ''})`,
        );
      const leader = cluster?.members.find(isRunningLeader);
      if (leader?.name === member) {
        const to = pickCandidate(cluster!, member, next, sync > 0);
        if (!to)
          throw new ActionError(
            `fence ${member}: it is the primary and no unfenced ${sync ? 'synchronous ' : ''}replica streams to take over; nothing was changed`,
          );
        reporter.step(`${member} is the primary: switching over to ${to} first`);
        await switchover(platform, access, { ...spec, fenced }, to, reporter);
      }
    }
    await writeFenced(platform.config, target.namespace, name, next);
    const url = urls[member] as string;
    await waitUntilTrue(
      fence ? `${member} to stop (fenced)` : `${member} to stream again`,
      async () => {
        if (fence) {
          const view = await getJson<{ state?: string }>(`${url}/patroni`, 2000).catch(() => undefined);
          return view?.state === 'fenced';
        }
        // The member's own Patroni, not the DCS: its entry there may still say streaming from
        // before it was fenced.
        const view = await getJson<{ state?: string; replication_state?: string }>(
          `${url}/patroni`,
          2000,
        ).catch(() => undefined);
        return view?.state === 'running' && view.replication_state === 'streaming';
      },
      180_000,
    );
    const s = ((Date.now() - started) / 1000).toFixed(1);
    reporter.done(
      fence
        ? `fenced ${member} in ${s} s: PostgreSQL and Patroni stopped, the pod and its claim kept (pgcluster unfence ${name} ${member} starts it again)`
        : `unfenced ${member} in ${s} s: it streams from the primary again`,
    );
  });
}

async function waitUntilTrue(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new ActionError(`waited ${Math.round(timeoutMs / 1000)} s for ${what}`);
}
