/**
 * Runs inside the dynamic-provider host: waits for a healthy cluster on Kubernetes, then ensures
 * the bootstrap objects. Platform-neutral waiting (actions/health); only the access differs.
 */
import { parseSpec } from '../spec';
import { appOf } from '../spec/bootstrap';
import { kubernetesAccess } from '../platform/kubernetes/access';
import { waitHealthy } from '../actions/health';
import { reachMember } from '../platform/reach';
import { connectTo, withClient } from '../sql/connect';
import { ensureAppObjects, ensureVerifier } from '../sql/bootstrap';
import { applyDynamicConfig } from '../actions/config';
import { switchover } from '../actions/switchover';
import { ensureArchive } from '../actions/archive';
import { silentReporter } from '../report/reporter';
import { kubeConfigOf } from '../platform/kubernetes/port-forward';
import { waitMountedFiles } from '../platform/kubernetes/mounted';
import { memberConfigPath } from '../render/kubernetes/backup';
import { reloadCertificates } from '../platform/kubernetes/tls-reload';
import { servingMembers } from '../plan/members';
import { getJson } from '../patroni/api';
import { isReplicaCluster } from '../spec/replica';
import { kubernetesStandby } from '../render/kubernetes/replica';
import { SUPERUSER } from '../naming';
import { stableScramVerifier } from '../secrets/scram';
import { promoteCluster } from '../actions/replica';
import { CLUSTER_ROLE } from '../patroni/roles';

/** How long `pulumi up` waits for a healthy cluster (PGCLUSTER_READY_TIMEOUT_S overrides, e.g. in tests). */
export const READY_TIMEOUT_MS = Number(process.env.PGCLUSTER_READY_TIMEOUT_S ?? 600) * 1000;

export interface ReadyInputs {
  spec: unknown;
  superuserPassword: string;
  appPassword: string;
  appVerifier: string;
  poolerAdminPassword?: string;
  /** A replica cluster: its superuser's client certificate and key (kubernetes-tls), its TCP login. */
  superuserCert?: { cert: string; key: string };
  kubeconfig?: string;
  /** Under tls: the CA's PEM (SQL through the port-forwards verifies the members by it). */
  caCert?: string;
  /** Under tls: the server certificate's SHA-256; the pods reload once they see it. */
  tlsServerDigest?: string;
  /** With backup: member name to the SHA-256 of its pgBackRest configuration (render/kubernetes/backup). */
  backupConfigDigests?: Record<string, string>;
}

/** Waits until each fenced member's first process reports it fenced (Patroni and PostgreSQL stopped). */
async function waitFenced(urls: Record<string, string>, fenced: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (const member of fenced) {
    const url = urls[member];
    if (!url) continue;
    for (;;) {
      const view = await getJson<{ state?: string }>(`${url}/patroni`, 2000).catch(() => undefined);
      if (view?.state === 'fenced') break;
      if (Date.now() > deadline)
        throw new Error(
          `${member} is fenced, but PostgreSQL still runs there (its Patroni says ${view?.state ?? 'nothing'})`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * A replica cluster whose leader is a primary would be demoted by its standby_cluster: a planned
 * switch, which Kubernetes does not do yet, so it is refused before anything changes. A cluster
 * whose spec names it the group's primary (replica.primary, with force) and still runs as a standby
 * cluster is promoted: standby_cluster removed, as Patroni's promote-cluster does.
 */
async function reconcileReplica(
  access: Awaited<ReturnType<typeof kubernetesAccess>>,
  spec: ReturnType<typeof parseSpec>,
  health: Awaited<ReturnType<typeof waitHealthy>>,
  members: string[],
  remaining: () => number,
) {
  if (!spec.replica) return health;
  const role = health.leader?.role;
  if (isReplicaCluster(spec)) {
    if (role === CLUSTER_ROLE.leader)
      throw new Error(
        `${spec.name} runs as a primary cluster (leader ${health.leader!.name}): turning it into a replica cluster of ${spec.replica.source.host} (a planned switch) is not supported on Kubernetes yet; remove replica, or set replica.primary: ${spec.name} with force: true`,
      );
    return health;
  }
  if (role !== CLUSTER_ROLE.standbyLeader) return health;
  await promoteCluster(access, spec.name);
  return waitHealthy(access, spec, members, remaining());
}

/** A failed wait with what the pods, claims and events say (when they say more than the error). */
function explained(e: Error, findings: string[]): Error {
  const extra = findings.filter((f) => !e.message.includes(f));
  if (extra.length === 0) return e;
  return new Error(`${e.message}\nwhat Kubernetes says:\n${extra.map((f) => `  - ${f}`).join('\n')}`);
}

export async function waitReady(inputs: ReadyInputs, timeoutMs = READY_TIMEOUT_MS) {
  const started = Date.now();
  // What is left of the timeout, but never less than 30 s (or the whole timeout when shorter) for a
  // later step, so a slow rollout does not starve the health wait.
  const remaining = () => Math.max(Math.min(30_000, timeoutMs), timeoutMs - (Date.now() - started));
  const spec = parseSpec(inputs.spec);
  // Declared with replica, the members' catalog is the source's copy: the superuser logs in with the
  // cluster's own client certificate (inputs.superuserCert), never a password of the source's.
  const access = await kubernetesAccess(spec, inputs, inputs.kubeconfig, { diagnose: true });
  try {
    // Hibernated: the StatefulSet and the pooler have no pod; their claims, and so the data, stay.
    if (spec.hibernate) {
      await access.waitRollout(timeoutMs);
      await access.waitHibernated(remaining());
      return { primary: '', members: [] };
    }
    // Fenced members run no PostgreSQL: the others are waited for, configured and reloaded.
    const members = servingMembers(Object.keys(access.apiUrls()), spec.fenced);
    await access.waitRollout(timeoutMs).catch((e: Error) => {
      throw explained(e, access.diagnosis());
    });
    let health = await waitHealthy(access, spec, members, remaining()).catch((e: Error) => {
      throw explained(e, access.diagnosis());
    });
    // replica: a replica cluster follows its source; promoted (primary names it), it leaves the standby.
    health = await reconcileReplica(access, spec, health, members, remaining);
    // Fenced members: up returns once PostgreSQL has stopped there (their port 8008 says so).
    await waitFenced(access.apiUrls(), spec.fenced, remaining());
    // What changed in Patroni's dynamic configuration since the pods bootstrapped (parameters, pg_hba,
    // the archive): patched, and members restarted replicas first when PostgreSQL needs it.
    const config = await applyDynamicConfig(
      access,
      spec,
      health,
      members,
      silentReporter,
      undefined,
      [],
      kubernetesStandby(spec),
    );
    if (config.restarted.length > 0) health = await waitHealthy(access, spec, members, remaining());
    // The archive is relied on only once the stanza exists and `check` saw a segment arrive.
    if (spec.backup) {
      // The check must read the configuration this update rendered (a new key, a new member).
      if (inputs.backupConfigDigests)
        await waitMountedFiles(
          kubeConfigOf(inputs.kubeconfig, spec.platform.kubernetes?.context),
          spec.platform.kubernetes!.namespace,
          Object.entries(inputs.backupConfigDigests).map(([pod, digest]) => ({
            pod,
            container: 'postgres',
            path: memberConfigPath(pod),
            digest,
          })),
          remaining(),
          'the pgBackRest configuration',
        );
      await ensureArchive(access, spec, silentReporter);
    }
    let leader = health.leader!;
    // The declared primary (spec.primary): a switchover to it, as `up` does on the local platform.
    if (spec.primary && spec.primary !== leader.name) {
      const moved = await switchover(undefined, access, spec, spec.primary, silentReporter);
      health = await waitHealthy(access, spec, members, remaining());
      leader = health.leader!;
      if (leader.name !== moved.to)
        throw new Error(`switched over to ${moved.to}, but ${leader.name} leads now`);
    }
    if (spec.pooler.enabled)
      await access.waitPooler(remaining()).catch((e: Error) => {
        throw explained(e, access.diagnosis());
      });
    // A renewed server certificate is served once the pods see it: a reload, no restart.
    if (inputs.tlsServerDigest)
      await reloadCertificates(
        kubeConfigOf(inputs.kubeconfig, spec.platform.kubernetes?.context),
        spec,
        members,
        inputs.tlsServerDigest,
        remaining(),
      );
    // A replica cluster is read-only: its application role and database are the source's. Once
    // promoted, its owner and its superuser take this cluster's own passwords (its Secrets).
    if (!isReplicaCluster(spec))
      await withClient(await connectTo(await reachMember(access, leader), access.superuser()), async (c) => {
        await ensureAppObjects(c, { ...appOf(spec.bootstrap), verifier: inputs.appVerifier });
        if (spec.replica)
          await ensureVerifier(
            c,
            SUPERUSER,
            stableScramVerifier(inputs.superuserPassword, `${spec.name}/${SUPERUSER}`),
          );
      });
    return { primary: leader.name, members };
  } finally {
    await access.close();
  }
}
