/**
 * ClusterAccess for a cluster on Kubernetes: through an explicit endpoint (Patroni URLs and the
 * primary's address, e.g. behind a load balancer), or through port-forwards to the pods.
 */
import { appOf } from '../../spec/bootstrap';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSpec } from '../../spec/cluster';
import { FIRST_ORDINAL, SUPERUSER, kubernetesNames } from '../../naming';
import { PATRONI_PORT, PG_PORT } from '../../render/kubernetes/patroni-config';
import { ALL_NETWORKS } from '../../render/kubernetes/patroni-config';
import type { ClusterAccess, PgEndpoint, PgbackrestResult } from '../types';
import { ActionError } from '../../errors';
import { getCluster, trustCertificateAuthority } from '../../patroni/api';
import { activeTls } from '../../render/tls';
import { isRunningLeader, MEMBER_STATE } from '../../patroni/roles';
import { execInPod } from './exec';
import { kubeConfigOf, portForwarder } from './port-forward';
import { waitDeploymentAvailable, waitPodsGone, waitStatefulSetRolledOut, watchFindings } from './observe';
import { memberSelector, poolerSelector } from '../../render/kubernetes/labels';
import { kubernetesPoolerControl } from './pooler-control';

export interface KubernetesSecretsForAccess {
  superuserPassword: string;
  appPassword: string;
  appVerifier: string;
  /** The PgBouncer admin's password: with it, a switchover PAUSEs the pooler pods around it. */
  poolerAdminPassword?: string;
  /** Under tls: the CA's PEM; SQL through the port-forwards verifies the member by it (127.0.0.1). */
  caCert?: string;
  /**
   * A replica cluster's superuser client certificate and key: its superuser logs in with them (its
   * pg_hba maps the certificate to it), with no password.
   */
  superuserCert?: { cert: string; key: string };
}

export function memberNames(spec: ClusterSpec): string[] {
  return Array.from({ length: spec.instances }, (_, i) => `${spec.name}-${i + FIRST_ORDINAL}`);
}

/**
 * `https` under tls (Patroni's REST API then speaks nothing else), verified by the CA; the caller has
 * the CA whenever the cluster runs with tls (the component from its certificates, the CLI from the
 * application Secret). A spec with tls and no CA cannot reach the API: said at once.
 */
export function patroniScheme(spec: ClusterSpec, caCert: string | undefined): 'http' | 'https' {
  if (caCert) return 'https';
  if (activeTls(spec))
    throw new ActionError(
      `cluster ${spec.name} runs with tls: its Patroni REST API is HTTPS and needs the cluster's CA to be verified`,
    );
  return 'http';
}

export interface KubernetesAccessOptions {
  /**
   * Watch the pods, claims and events while waiting (readiness): findings that cannot heal by
   * waiting end the wait through processProblems(), and diagnosis() explains a timeout.
   */
  diagnose?: boolean;
}

export type KubernetesAccess = ClusterAccess & {
  close(): Promise<void>;
  /** What the pods, claims and events say now (empty without `diagnose`). */
  diagnosis(): string[];
  /** Waits for the pooler Deployment (through the API; without it: at once). */
  waitPooler(timeoutMs: number): Promise<void>;
  /** Waits until the StatefulSet runs its current template everywhere (without the API: at once). */
  waitRollout(timeoutMs: number): Promise<void>;
  /** spec.hibernate: waits until no member or pooler pod is left (without the API: at once). */
  waitHibernated(timeoutMs: number): Promise<void>;
};

export async function kubernetesAccess(
  spec: ClusterSpec,
  secrets: KubernetesSecretsForAccess,
  kubeconfig?: string | KubeConfig,
  options: KubernetesAccessOptions = {},
): Promise<KubernetesAccess> {
  const platform = spec.platform.kubernetes;
  if (!platform) throw new Error(`cluster ${spec.name} is not on the kubernetes platform`);
  const owner = appOf(spec.bootstrap).owner;
  const database = appOf(spec.bootstrap).database;
  const members = memberNames(spec);
  const base = {
    allowedNetworks: ALL_NETWORKS,
    superuser: () => ({ user: SUPERUSER, password: secrets.superuserPassword, database: 'postgres' }),
    app: () => ({ user: owner, password: secrets.appPassword, database }),
    appVerifier: () => secrets.appVerifier,
  };
  if (secrets.caCert) trustCertificateAuthority(secrets.caCert);
  if (platform.endpoint) {
    const endpoint = platform.endpoint;
    const urls = Object.fromEntries(
      endpoint.patroniUrls.map((u, i) => [members[i] ?? `${spec.name}-${i}`, u]),
    );
    return {
      ...base,
      apiUrls: () => urls,
      // Only the primary is reachable from outside: every SQL the actions run goes to it.
      pgEndpoint: async (): Promise<PgEndpoint> => ({ host: endpoint.host, port: endpoint.port }),
      close: async () => undefined,
      diagnosis: () => [],
      waitPooler: async () => undefined,
      waitRollout: async () => undefined,
      waitHibernated: async () => undefined,
    };
  }
  const ssl = secrets.caCert ? { ssl: { ca: secrets.caCert } } : {};
  const superuserSsl =
    secrets.caCert && secrets.superuserCert
      ? { password: '', ssl: { ca: secrets.caCert, ...secrets.superuserCert } }
      : ssl;
  // Under tls Patroni's REST API is HTTPS only, its certificate names 127.0.0.1: verified by the CA.
  const scheme = patroniScheme(spec, secrets.caCert);
  const config = kubeConfigOf(kubeconfig, platform.context);
  const forwarder = portForwarder(platform.namespace, config);
  const watch = options.diagnose ? watchFindings(config, platform.namespace, spec.name) : undefined;
  const apiPorts = await Promise.all(members.map((m) => forwarder.local(m, PATRONI_PORT)));
  const urls = Object.fromEntries(members.map((m, i) => [m, `${scheme}://127.0.0.1:${apiPorts[i]}`]));
  return {
    ...base,
    superuser: () => ({ ...base.superuser(), ...superuserSsl }),
    app: () => ({ ...base.app(), ...ssl }),
    apiUrls: () => urls,
    ...(spec.backup
      ? {
          pgbackrest: (args: readonly string[], timeoutMs = 10 * 60_000) =>
            pgbackrestInPod(config, platform.namespace, spec, Object.values(urls), args, timeoutMs),
        }
      : {}),
    pgEndpoint: async (member) => ({ host: '127.0.0.1', port: await forwarder.local(member.name, PG_PORT) }),
    ...(spec.pooler.enabled && secrets.poolerAdminPassword
      ? {
          pooler: async () =>
            kubernetesPoolerControl(
              config,
              spec,
              secrets.poolerAdminPassword as string,
              (pod, port) => forwarder.local(pod, port),
              secrets.caCert,
            ),
        }
      : {}),
    processProblems: () => watch?.fatal() ?? [],
    diagnosis: () => watch?.all() ?? [],
    waitRollout: (timeoutMs) =>
      waitStatefulSetRolledOut(
        config,
        platform.namespace,
        kubernetesNames(spec.name).statefulSet,
        timeoutMs,
        () => watch?.fatal() ?? [],
        spec.fenced.length,
      ),
    waitPooler: (timeoutMs) =>
      waitDeploymentAvailable(
        config,
        platform.namespace,
        kubernetesNames(spec.name).pooler,
        timeoutMs,
        () => watch?.fatal() ?? [],
      ),
    waitHibernated: async (timeoutMs) => {
      const started = Date.now();
      await waitPodsGone(
        config,
        platform.namespace,
        memberSelector(spec.name),
        `the members of ${spec.name}`,
        timeoutMs,
      );
      await waitPodsGone(
        config,
        platform.namespace,
        poolerSelector(spec.name),
        `the pooler of ${spec.name}`,
        Math.max(1000, timeoutMs - (Date.now() - started)),
      );
    },
    close: async () => {
      watch?.stop();
      await forwarder.close();
    },
  };
}

/**
 * A pgBackRest command in a member pod, with that pod's configuration (PGBACKREST_CONFIG: pg1 is the
 * pod, the others through their TLS servers): a backup from a streaming replica when
 * backup.fromStandby (the primary only starts and stops it), everything else on the primary.
 */
async function pgbackrestInPod(
  config: KubeConfig,
  namespace: string,
  spec: ClusterSpec,
  apiUrls: readonly string[],
  args: readonly string[],
  timeoutMs: number,
): Promise<PgbackrestResult> {
  const cluster = await getCluster(apiUrls);
  const leader = cluster?.members.find(isRunningLeader);
  if (!leader) throw new ActionError(`cluster ${spec.name} has no running primary to run pgBackRest with`);
  const replica = cluster?.members.find((m) => m.name !== leader.name && m.state === MEMBER_STATE.streaming);
  const pod = args.includes('backup') && spec.backup?.fromStandby && replica ? replica.name : leader.name;
  return execInPod(config, { namespace, pod, container: 'postgres' }, ['pgbackrest', ...args], timeoutMs);
}
