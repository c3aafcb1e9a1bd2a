/**
 * A cluster on Kubernetes as the CLI's actions see it (`pgcluster status|switchover|psql|uri|logs
 * NAME --kubeconfig F --context C --namespace N`), like `kubectl cnpg`: what the cluster is comes
 * from its objects (the StatefulSet's replicas, the Secrets' credentials, Patroni's dynamic
 * config), and the members are reached through port-forwards. The same actions code as the local
 * platform runs on it; creating and changing the cluster stays with the PostgresCluster component.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../../errors';
import { kubernetesNames } from '../../naming';
import { parseSpec } from '../../spec';
import type { ClusterSpec } from '../../spec/cluster';
import { APP_CA_FILE, serviceHost, SUPERUSER_CERT_KEYS } from '../../render/kubernetes/secrets';
import { CA_SECRET_ANNOTATION, TLS_KEYS } from '../../render/kubernetes/tls';
import { PG_PORT } from '../../render/kubernetes/patroni-config';
import { BACKUP_ANNOTATION } from '../../render/kubernetes/backup';
import type { CertificateStatus, ClusterAccess, ClusterRuntime, Platform } from '../types';
import { kubernetesAccess, memberNames, type KubernetesAccess } from './access';

export interface KubernetesTarget {
  /** A kubeconfig file; absent: kubeconfigContent, else the default one. */
  kubeconfig?: string;
  /** A kubeconfig's text (the Backup resource's input). */
  kubeconfigContent?: string;
  context?: string;
  namespace: string;
}

export function kubeConfigFor(target: KubernetesTarget): KubeConfig {
  const config = new KubeConfig();
  if (target.kubeconfig) config.loadFromFile(target.kubeconfig);
  else if (target.kubeconfigContent) config.loadFromString(target.kubeconfigContent);
  else config.loadFromDefault();
  if (target.context) {
    if (!config.getContexts().some((c) => c.name === target.context))
      throw new InputError(
        `--context ${target.context}: not in the kubeconfig; contexts are ${config
          .getContexts()
          .map((c) => c.name)
          .join(', ')}`,
      );
    config.setCurrentContext(target.context);
  }
  return config;
}

const decode = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString());

export class KubernetesCliPlatform implements Platform {
  readonly kind = 'kubernetes' as const;
  private readonly accesses = new Map<string, KubernetesAccess>();
  readonly config: KubeConfig;

  constructor(readonly target: KubernetesTarget) {
    this.config = kubeConfigFor(target);
  }

  /** What the cluster is, read from its objects; InputError when there is no such cluster. */
  async spec(name: string): Promise<{
    spec: ClusterSpec;
    superuser: string;
    app: string;
    caCert?: string;
    poolerAdmin?: string;
    superuserCert?: { cert: string; key: string };
  }> {
    const ns = this.target.namespace;
    const names = kubernetesNames(name);
    const apps = this.config.makeApiClient(AppsV1Api);
    const core = this.config.makeApiClient(CoreV1Api);
    const sts = await apps
      .readNamespacedStatefulSet({ name: names.statefulSet, namespace: ns })
      .catch((e) => {
        if ((e as { code?: number }).code === 404)
          throw new InputError(
            `no cluster named "${name}" in namespace ${ns} (no StatefulSet ${names.statefulSet})`,
          );
        throw e;
      });
    // The superuser's password is where the members read it (a replica cluster made by an earlier
    // version: its source's). A replica cluster's members have none: its own Secret holds its client
    // certificate, which its pg_hba maps to the superuser.
    const suRef = sts.spec?.template.spec?.containers
      .find((c) => c.name === 'postgres')
      ?.env?.find((e) => e.name === 'PATRONI_SUPERUSER_PASSWORD')?.valueFrom?.secretKeyRef;
    const suKey = suRef?.key ?? 'password';
    const [su, app, poolerAdmin, pooler] = await Promise.all([
      core.readNamespacedSecret({ name: suRef?.name ?? names.superuserSecret, namespace: ns }),
      core.readNamespacedSecret({ name: names.appSecret, namespace: ns }),
      // The pooler admin's password (a cluster made before this Secret existed has none: no PAUSE).
      core.readNamespacedSecret({ name: names.poolerAdminSecret, namespace: ns }).catch((e) => {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      }),
      this.hasPooler(name),
    ]);
    // The backup spec (references only) is on the StatefulSet: pgBackRest runs in the pods with theirs.
    const backup = sts.metadata?.annotations?.[BACKUP_ANNOTATION];
    const spec = parseSpec({
      name,
      instances: sts.spec?.replicas ?? 1,
      platform: { kubernetes: { namespace: ns } },
      bootstrap: { initdb: { owner: decode(app.data?.username), database: decode(app.data?.dbname) } },
      pooler: { enabled: pooler },
      ...(backup ? { backup: JSON.parse(backup) } : {}),
    });
    // Under tls the application Secret holds the CA: SQL through the port-forwards verifies by it.
    const caCert = decode(app.data?.['ca.crt']);
    const poolerAdminPassword = decode(poolerAdmin?.data?.password);
    const cert = decode(su.data?.[SUPERUSER_CERT_KEYS.cert]);
    const key = decode(su.data?.[SUPERUSER_CERT_KEYS.key]);
    return {
      spec,
      superuser: decode(su.data?.[suKey]) ?? '',
      ...(cert && key ? { superuserCert: { cert, key } } : {}),
      app: decode(app.data?.password) ?? '',
      ...(caCert ? { caCert } : {}),
      ...(poolerAdminPassword ? { poolerAdmin: poolerAdminPassword } : {}),
    };
  }

  async access(name: string): Promise<ClusterAccess & { close(): Promise<void> }> {
    const known = this.accesses.get(name);
    if (known) return known;
    const { spec, superuser, app, caCert, poolerAdmin, superuserCert } = await this.spec(name);
    // With the pooler admin's password, a switchover PAUSEs the pooler pods around it.
    const access = await kubernetesAccess(
      spec,
      {
        superuserPassword: superuser,
        appPassword: app,
        appVerifier: '',
        ...(caCert ? { caCert } : {}),
        ...(poolerAdmin ? { poolerAdminPassword: poolerAdmin } : {}),
        ...(superuserCert ? { superuserCert } : {}),
      },
      this.config,
    );
    this.accesses.set(name, access);
    return access;
  }

  async runtime(name: string): Promise<ClusterRuntime> {
    const { spec } = await this.spec(name);
    const access = await this.access(name);
    const urls = access.apiUrls();
    const members = await Promise.all(
      memberNames(spec).map(async (m) => ({
        name: m,
        running: true,
        postgres: await access.pgEndpoint!({ name: m }),
        apiUrl: urls[m] as string,
      })),
    );
    const pg = members.map((m) => m.postgres);
    const certificates = await this.certificates(name);
    return {
      name,
      exists: true,
      spec,
      members,
      endpoints: { rw: pg, ro: pg },
      services: {},
      ...(certificates ? { certificates } : {}),
    };
  }

  /** Under tls: each certificate in the Secret <name>-tls with its expiry (keys are not read out). */
  async certificates(name: string): Promise<CertificateStatus[] | undefined> {
    const core = this.config.makeApiClient(CoreV1Api);
    const secret = await core
      .readNamespacedSecret({ name: kubernetesNames(name).tlsSecret, namespace: this.target.namespace })
      .catch((e) => {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      });
    if (!secret?.data) return undefined;
    const { certificateFacts } = await import('../../secrets/x509');
    const now = Date.now();
    return (
      [
        ['ca', TLS_KEYS.ca],
        ['server', TLS_KEYS.serverCert],
        ['replicator', TLS_KEYS.replicationCert],
        ['rewinder', TLS_KEYS.rewindCert],
      ] as const
    ).flatMap(([label, key]) => {
      const pem = decode(secret.data?.[key]);
      if (!pem) return [];
      const facts = certificateFacts(pem);
      return [
        {
          name: label,
          subject: facts.subject,
          notAfter: facts.notAfter.toISOString(),
          daysLeft: Math.floor((facts.notAfter.getTime() - now) / 86_400_000),
        },
      ];
    });
  }

  /**
   * `pgcluster certificate` on Kubernetes: a client certificate for `user` signed with the CA's key
   * from the Secret `<name>-tls` names (`<name>-ca` for a generated CA, or tls.ca.secret's), read with
   * the caller's kubeconfig (reading it takes the right to read the namespace's Secrets). `admitted`:
   * the Patroni configuration has the `hostssl all <user> … cert` rule (tls.clientAuth.users).
   */
  async clientCertificate(
    name: string,
    user: string,
    days: number,
  ): Promise<{ certificate: string; privateKey: string; ca: string; admitted: boolean; port: number }> {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(user) || Buffer.byteLength(user) > 63)
      throw new InputError(
        `--user ${JSON.stringify(user)} is not allowed: a role name of letters, digits, "_", "." and "-", at most 63 bytes`,
      );
    const ns = this.target.namespace;
    const names = kubernetesNames(name);
    const core = this.config.makeApiClient(CoreV1Api);
    const read = (secret: string) =>
      core.readNamespacedSecret({ name: secret, namespace: ns }).catch((e) => {
        const code = (e as { code?: number }).code;
        if (code === 404 || code === 403)
          throw new InputError(
            `cluster "${name}": ${code === 404 ? 'no' : 'may not read the'} Secret ${secret} in namespace ${ns}` +
              (secret === names.tlsSecret && code === 404 ? ' (is tls set in its spec, and up done?)' : ''),
          );
        throw e;
      });
    const tls = await read(names.tlsSecret);
    const caSecret = tls.metadata?.annotations?.[CA_SECRET_ANNOTATION];
    if (!caSecret)
      throw new InputError(
        `cluster "${name}" signs with your own CA from tls.ca files, whose key never enters the cluster: ` +
          'issue the certificate with that CA (e.g. openssl), or give its key as tls.ca: {secret: NAME}',
      );
    const data = (await read(caSecret)).data ?? {};
    const certificate = decode(data['tls.crt']);
    const privateKey = decode(data['tls.key']);
    if (!certificate || !privateKey)
      throw new InputError(
        `cluster "${name}": Secret ${caSecret} in namespace ${ns} has no tls.crt and tls.key`,
      );
    const { issueCertificate } = await import('../../secrets/x509');
    const issued = await issueCertificate(
      { certificate, privateKey },
      { commonName: user, usage: 'client', days },
    );
    const config = await core.readNamespacedConfigMap({ name: names.patroniConfig, namespace: ns });
    const hba = (config.data?.['patroni.yml'] ?? '').split('\n');
    const admitted = hba.some((l) =>
      new RegExp(`^\\s*- hostssl all ${user.replace(/\./g, '\\.')} \\S+ cert$`).test(l),
    );
    return { ...issued, ca: certificate, admitted, port: PG_PORT };
  }

  /** The Services, as clients inside the cluster reach them (what `status` and `uri` print). */
  serviceEndpoints(name: string, pooler: boolean, tls = false) {
    const names = kubernetesNames(name);
    const at = (service: string) => [{ host: serviceHost(service, this.target.namespace), port: PG_PORT }];
    return {
      // Under tls: verify-full with the CA where the application Secret is mounted (its ca.crt).
      ...(tls ? { caFile: APP_CA_FILE } : {}),
      rw: at(names.rw),
      ro: at(names.ro),
      r: at(names.r),
      ...(pooler ? { pooler: at(names.pooler)[0] } : {}),
    };
  }

  /** Whether the cluster has a pooler Deployment. */
  async hasPooler(name: string): Promise<boolean> {
    const apps = this.config.makeApiClient(AppsV1Api);
    return apps
      .readNamespacedDeployment({ name: kubernetesNames(name).pooler, namespace: this.target.namespace })
      .then(() => true)
      .catch(() => false);
  }

  /** The last lines of every member's log (or one member's), each line prefixed with its member. */
  async logs(name: string, opts: { member?: string; tail: number }): Promise<string> {
    const { spec } = await this.spec(name);
    const members = memberNames(spec);
    if (opts.member && !members.includes(opts.member))
      throw new InputError(
        `--member ${opts.member}: not a member of ${name}; members are ${members.join(', ')}`,
      );
    const core = this.config.makeApiClient(CoreV1Api);
    const out: string[] = [];
    for (const pod of opts.member ? [opts.member] : members) {
      const text = await core
        .readNamespacedPodLog({
          name: pod,
          namespace: this.target.namespace,
          container: 'postgres',
          tailLines: opts.tail,
        })
        .catch((e: Error) => `(no log: ${e.message})`);
      for (const line of String(text).split('\n').filter(Boolean)) out.push(`${pod} ${line}`);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  async close(): Promise<void> {
    await Promise.all([...this.accesses.values()].map((a) => a.close()));
    this.accesses.clear();
  }

  // The Service selects the pod Patroni labels primary: nothing to repoint.
  async syncPooler(): Promise<void> {}

  private static notHere(what: string): never {
    throw new InputError(
      `${what}: clusters on Kubernetes are created and changed by the PostgresCluster component (pulumi up)`,
    );
  }
  async preflight(): Promise<void> {
    KubernetesCliPlatform.notHere('preflight');
  }
  async provision(): Promise<{ toRemove: string[]; created: boolean }> {
    return KubernetesCliPlatform.notHere('up');
  }
  // Backups on Kubernetes are CronJobs the component owns; the CLI has no schedules to sync.
  async syncSchedules(): Promise<void> {
    KubernetesCliPlatform.notHere('backup schedules');
  }
  async removeMembers(): Promise<void> {
    KubernetesCliPlatform.notHere('scale down');
  }
  async commit(): Promise<void> {
    KubernetesCliPlatform.notHere('up');
  }
  async list(): Promise<string[]> {
    const apps = this.config.makeApiClient(AppsV1Api);
    const sets = await apps.listNamespacedStatefulSet({
      namespace: this.target.namespace,
      labelSelector: 'app.kubernetes.io/managed-by=pgcluster',
    });
    return sets.items.map((s) => s.metadata?.name ?? '').filter(Boolean);
  }
  async stop(): Promise<void> {
    KubernetesCliPlatform.notHere('down');
  }
  async destroy(): Promise<boolean> {
    return KubernetesCliPlatform.notHere('destroy');
  }
}
