/**
 * The kubernetes platform of PostgresCluster: generated passwords, then every object from the pure
 * builders as a @pulumi/kubernetes resource, then a readiness resource that waits for a healthy
 * cluster. Only this file (and kubernetes-backup.ts, the archive's objects) instantiates Kubernetes
 * resources.
 */
import { appOf } from '../spec/bootstrap';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ClusterSpec } from '../spec/cluster';
import { kubernetesImage } from '../spec/kubernetes';
import { specError } from './validate';
import { childNames, kubernetesNames, SUPERUSER } from '../naming';
import { stableScramVerifier } from '../secrets/scram';
import { poolerUsersFrom } from '../sql/pooler-users';
import { kubernetesPlatformOf } from '../render/kubernetes';
import { buildRbac } from '../render/kubernetes/rbac';
import { renderKubernetesPatroniYaml } from '../render/kubernetes/patroni-config';
import { buildStatefulSet, claimTemplates } from '../render/kubernetes/statefulset';
import {
  buildPatroniConfigMap,
  buildPodDisruptionBudget,
  buildServices,
} from '../render/kubernetes/services';
import { buildPoolerAdminSecret, buildSecrets, serviceHost } from '../render/kubernetes/secrets';
import { buildPooler } from '../render/kubernetes/pooler';
import { GeneratedPassword } from './password';
import { ClusterReady } from './readiness';
import type { DeployerKubeconfig } from './kubeconfig-arg';
import { ScaleDownGuard } from './scale-guard';
import { MemberStorage } from './member-storage';
import type { SqlConnection } from '../sql/target';
import { memberNames } from '../platform/kubernetes/access';
import { CLONE_SCRIPT, FENCE_SCRIPT, PG_PORT } from '../render/kubernetes/patroni-config';
import { buildCloneSecret, cloneConfigFiles, clonesWithPassword } from '../render/kubernetes/clone';
import { scriptText } from '../platform/local/scripts-dir';
import { PEER_WATCH_SCRIPT, peerWatchFiles } from '../render/kubernetes/peer-watch';
import {
  buildFencingConfigMap,
  MEMBER_SCRIPT,
  memberFiles,
  PATRONI_REST_MODULE,
} from '../render/kubernetes/fencing';
import { createKubernetesBackup, type KubernetesBackupInputs } from './kubernetes-backup';
import { createKubernetesTls } from './kubernetes-tls';
import { createKubernetesMonitoring } from './kubernetes-monitoring';
import { exportersOn } from '../render/kubernetes/monitoring';
import { activeTls, uriTlsQuery } from '../render/tls';
import { kubernetesPoolerTls } from '../render/kubernetes/tls';
import { APP_CA_FILE } from '../render/kubernetes/secrets';
import { REPLICA_SOURCE_KEYS } from '../render/kubernetes/replica';

interface Passwords {
  superuser: string;
  replication: string;
  rewind: string;
  app: string;
  poolerAdmin: string;
}

/** What a replica cluster of this one is given (its credentials as replica.source.secret's keys). */
export interface ReplicationSource {
  host: string;
  port: number;
  credentials: Record<string, string>;
}

export interface KubernetesChildren {
  /** The address and credentials a replica cluster of this one needs (secret). */
  replicationSource: pulumi.Output<ReplicationSource>;
  endpoints: pulumi.Output<{ rw: string; ro: string; r: string; pooler?: string }>;
  primary: pulumi.Output<string>;
  connectionUri: pulumi.Output<string>;
  appSecretName: pulumi.Output<string>;
  superuserSecretName: pulumi.Output<string>;
  /** The superuser's way to the primary, through port-forwards to the member pods (secret). */
  sqlConnection: pulumi.Output<SqlConnection>;
  /** Done when the cluster is healthy: what roles, databases and grants wait for. */
  ready: ClusterReady;
  /** The members: the SQL objects go with it when it is deleted. */
  statefulSet: k8s.apps.v1.StatefulSet;
}

/** The object's own fields as resource args (apiVersion and kind are implied by the resource class). */
function argsOf<T extends { metadata: unknown }>(object: T): Omit<T, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = object as T & { apiVersion?: string; kind?: string };
  return rest;
}

type SecretObject = {
  metadata: k8s.types.input.meta.v1.ObjectMeta;
  type: string;
  stringData: Record<string, string>;
};

/**
 * The provider does not wait for the members, the pooler or the Services' endpoints itself
 * (they have none until the pods are ready): ClusterReady does, watching
 * the pods, claims and events, so a failure is explained and ends the wait at once (a claim of a
 * missing StorageClass, an image that cannot be pulled) instead of a 10-minute await timeout.
 */
function withoutProviderAwait<T extends { metadata: Record<string, unknown> }>(args: T): T {
  const annotations = (args.metadata.annotations as Record<string, string> | undefined) ?? {};
  return {
    ...args,
    metadata: { ...args.metadata, annotations: { ...annotations, 'pulumi.com/skipAwait': 'true' } },
  };
}

function secretArgs(object: pulumi.Output<SecretObject>): k8s.core.v1.SecretArgs {
  return { metadata: object.metadata, type: object.type, stringData: pulumi.secret(object.stringData) };
}

export function createKubernetesChildren(
  parent: pulumi.ComponentResource,
  resourceName: string,
  spec: ClusterSpec,
  /** roles[] passwords, resolved: the pooler admits those login roles (sql/pooler-users). */
  rolePasswords: ReadonlyMap<string, string> = new Map(),
  /** With spec.backup: the references' values and the archive's identity; the S3 CA read already. */
  backupInputs?: KubernetesBackupInputs & {
    s3Ca?: string;
    sourceS3Ca?: string;
    /** platform.kubernetes.kubeconfig: how the deployer's resources reach the pods. */
    deployer?: DeployerKubeconfig;
  },
): KubernetesChildren {
  const platform = kubernetesPlatformOf(spec);
  // A postgresVersion without an image is refused here, at preview, before any object is registered.
  try {
    kubernetesImage(spec.postgresVersion, platform);
  } catch (e) {
    throw specError(resourceName, e, parent);
  }
  const ns = platform.namespace;
  const names = kubernetesNames(spec.name);
  const child = childNames(resourceName);
  // The readiness, the storage and scale checks and the SQL resources reach the pods through the
  // given kubeconfig and context (the cluster's provider's), else through the default one.
  const kubeconfig = backupInputs?.deployer?.kubeconfig;
  const reach = kubeconfig ? { kubeconfig } : {};
  const opts = { parent };
  const app = {
    owner: appOf(spec.bootstrap).owner,
    database: appOf(spec.bootstrap).database,
  };

  const password = (n: string) => new GeneratedPassword(n, opts).value;
  const passwords = pulumi.all({
    superuser: password(child.superuserPassword),
    replication: password(child.replicationPassword),
    rewind: password(child.rewindPassword),
    app: password(child.appPassword),
    poolerAdmin: spec.pooler.enabled ? password(child.poolerAdminPassword) : '',
  }) as unknown as pulumi.Output<Passwords>;

  const backup = spec.backup
    ? createKubernetesBackup(
        parent,
        resourceName,
        spec,
        names,
        backupInputs ?? { secrets: {}, baseDir: process.cwd() },
        backupInputs?.s3Ca,
        backupInputs?.sourceS3Ca,
      )
    : undefined;
  const rbac = buildRbac(spec.name, ns, names);
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    child.serviceAccount,
    backup?.serviceAccountAnnotations
      ? {
          ...argsOf(rbac.serviceAccount),
          metadata: { ...rbac.serviceAccount.metadata, annotations: backup.serviceAccountAnnotations },
        }
      : argsOf(rbac.serviceAccount),
    opts,
  );
  const role = new k8s.rbac.v1.Role(child.role, argsOf(rbac.role), opts);
  const roleBinding = new k8s.rbac.v1.RoleBinding(child.roleBinding, argsOf(rbac.roleBinding), {
    parent,
    dependsOn: [serviceAccount, role],
  });
  const config = new k8s.core.v1.ConfigMap(
    child.patroniConfig,
    argsOf(
      buildPatroniConfigMap(spec.name, ns, names, renderKubernetesPatroniYaml(spec, ns), {
        ...(spec.bootstrap.pgBasebackup ? cloneConfigFiles(spec, scriptText(CLONE_SCRIPT)) : {}),
        ...(platform.peerWatch ? peerWatchFiles(platform, scriptText(PEER_WATCH_SCRIPT)) : {}),
        [FENCE_SCRIPT]: scriptText(FENCE_SCRIPT),
        ...memberFiles(scriptText(MEMBER_SCRIPT), scriptText(PATRONI_REST_MODULE)),
      }),
    ),
    opts,
  );
  const sourcePassword = backupInputs?.secrets.sourcePassword;
  const cloneSecret =
    clonesWithPassword(spec) && sourcePassword !== undefined
      ? new k8s.core.v1.Secret(
          child.cloneSecret,
          secretArgs(pulumi.output(buildCloneSecret(spec, ns, names, sourcePassword))),
          opts,
        )
      : undefined;
  const tls = activeTls(spec) ? createKubernetesTls(parent, resourceName, spec, names) : undefined;
  const caCert = tls ? tls.caCert : pulumi.output(undefined);
  const monitoring = exportersOn(spec)
    ? createKubernetesMonitoring(parent, resourceName, spec, names, passwords.poolerAdmin)
    : undefined;
  const superuserCert = tls?.superuser ?? pulumi.output(undefined);
  const secretObjects = pulumi
    .all([passwords, caCert, superuserCert])
    .apply(([p, ca, cert]) => buildSecrets(spec.name, ns, names, app, p, ca, cert));
  const superuserSecret = new k8s.core.v1.Secret(
    child.superuserSecret,
    secretArgs(secretObjects.superuser),
    opts,
  );
  const replicationSecret = new k8s.core.v1.Secret(
    child.replicationSecret,
    secretArgs(secretObjects.replication),
    opts,
  );
  const appSecret = new k8s.core.v1.Secret(child.appSecret, secretArgs(secretObjects.app), opts);

  const services = buildServices(spec.name, ns, names);
  const headless = new k8s.core.v1.Service(
    child.headless,
    withoutProviderAwait(argsOf(services.headless)),
    opts,
  );
  const appVerifier = passwords.apply((p) => stableScramVerifier(p.app, `${spec.name}/${app.owner}`));
  // Before the StatefulSet loses members, the primary is moved off the ordinals it removes.
  const scaleGuard = new ScaleDownGuard(
    child.scaleGuard,
    {
      spec,
      superuserPassword: passwords.superuser,
      appPassword: passwords.app,
      appVerifier,
      ...(spec.pooler.enabled ? { poolerAdminPassword: passwords.poolerAdmin } : {}),
      ...(tls ? { caCert: tls.caCert } : {}),
      ...(tls?.superuser ? { superuserCert: tls.superuser } : {}),
      ...reach,
    },
    opts,
  );
  // spec.fenced as the members read it: changed only once the guard moved the primary off a fenced member.
  const fencing = new k8s.core.v1.ConfigMap(
    child.fencing,
    argsOf(buildFencingConfigMap(spec.name, ns, names, spec.fenced)),
    { parent, dependsOn: [scaleGuard] },
  );
  // A grown storage size: every member's claim patched before the StatefulSet is recreated for its
  // claim templates (shrinking, or a class without volume expansion, is refused at preview).
  const memberStorage = new MemberStorage(
    child.memberStorage,
    {
      namespace: ns,
      cluster: spec.name,
      statefulSet: names.statefulSet,
      size: spec.storage?.size ?? '10Gi',
      ...(spec.storage?.walSize ? { walSize: spec.storage.walSize } : {}),
      ...(platform.context !== undefined ? { context: platform.context } : {}),
      ...reach,
    },
    opts,
  );
  // With a bucket the component creates, its name is known once it exists (the annotation holds it).
  const memberSpec = backup?.spec ?? pulumi.output(spec);
  const statefulSet = new k8s.apps.v1.StatefulSet(
    child.statefulSet,
    memberSpec.apply((s) => {
      const args = withoutProviderAwait(argsOf(buildStatefulSet(s, platform, names)));
      // The sizes MemberStorage applied (the claims grown first). Unknown at the preview of a growth,
      // so @pulumi/kubernetes plans the replacement without its dry run, which an existing
      // StatefulSet with other claim templates would fail (pulumi/pulumi-kubernetes#4328, < 4.29).
      const templates = memberStorage.applied.apply((applied) => claimTemplates(applied, platform));
      return { ...args, spec: { ...args.spec, volumeClaimTemplates: templates } };
    }),
    {
      parent,
      // New claim templates replace it (they are immutable): the old one goes first, orphaning its
      // pods (MemberStorage deleted it so already; render/kubernetes/statefulset ORPHAN_ANNOTATION),
      // which the new one adopts.
      deleteBeforeReplace: true,
      dependsOn: [
        memberStorage,
        roleBinding,
        config,
        superuserSecret,
        replicationSecret,
        headless,
        scaleGuard,
        fencing,
        ...(backup ? [backup.secret] : []),
        ...(cloneSecret ? [cloneSecret] : []),
        ...(tls ? [tls.secret] : []),
        ...(monitoring?.dependencies ?? []),
      ],
    },
  );
  const rw = new k8s.core.v1.Service(child.rw, withoutProviderAwait(argsOf(services.rw)), opts);
  const ro = new k8s.core.v1.Service(child.ro, withoutProviderAwait(argsOf(services.ro)), opts);
  const r = new k8s.core.v1.Service(child.r, withoutProviderAwait(argsOf(services.r)), opts);
  new k8s.policy.v1.PodDisruptionBudget(
    child.pdb,
    argsOf(buildPodDisruptionBudget(spec.name, ns, names)),
    opts,
  );

  let poolerHost: string | undefined;
  let poolerDeployment: k8s.apps.v1.Deployment | undefined;
  if (spec.pooler.enabled) {
    const poolerTls = kubernetesPoolerTls(spec);
    const pooler = pulumi.all([passwords, appVerifier]).apply(([p, verifier]) =>
      buildPooler(
        spec.name,
        spec.postgresVersion,
        spec.pooler,
        platform,
        names,
        {
          owner: app.owner,
          appVerifier: verifier,
          adminVerifier: stableScramVerifier(p.poolerAdmin, `${spec.name}/pgbouncer_admin`),
          users: poolerUsersFrom(spec.roles, rolePasswords),
        },
        poolerTls,
        monitoring?.poolerExporter,
        spec.hibernate,
      ),
    );
    const plain = buildPooler(
      spec.name,
      spec.postgresVersion,
      spec.pooler,
      platform,
      names,
      { owner: app.owner, appVerifier: '', adminVerifier: '' },
      poolerTls,
      monitoring?.poolerExporter,
      spec.hibernate,
    );
    const poolerConfig = new k8s.core.v1.ConfigMap(child.poolerConfig, argsOf(plain.configMap), opts);
    const poolerAuth = new k8s.core.v1.Secret(
      child.poolerAuth,
      secretArgs(pooler.authSecret as unknown as pulumi.Output<SecretObject>),
      opts,
    );
    poolerDeployment = new k8s.apps.v1.Deployment(
      child.poolerDeployment,
      withoutProviderAwait(argsOf(plain.deployment)),
      {
        parent,
        dependsOn: [
          poolerConfig,
          poolerAuth,
          rw,
          ...(tls ? [tls.secret] : []),
          ...(monitoring?.dependencies ?? []),
        ],
      },
    );
    new k8s.core.v1.Service(child.poolerService, withoutProviderAwait(argsOf(plain.service)), opts);
    // For `pgcluster switchover --namespace`: it PAUSEs the pooler pods as the spec's switchover does.
    new k8s.core.v1.Secret(
      child.poolerAdminSecret,
      secretArgs(passwords.apply((p) => buildPoolerAdminSecret(spec.name, ns, names, p.poolerAdmin))),
      opts,
    );
    new k8s.policy.v1.PodDisruptionBudget(child.poolerPdb, argsOf(plain.pdb), opts);
    poolerHost = `${serviceHost(names.pooler, ns)}:5432`;
  }

  const ready = new ClusterReady(
    child.ready,
    {
      spec: memberSpec,
      superuserPassword: passwords.superuser,
      appPassword: passwords.app,
      appVerifier,
      ...(spec.pooler.enabled ? { poolerAdminPassword: passwords.poolerAdmin } : {}),
      ...(tls ? { caCert: tls.caCert, tlsServerDigest: tls.serverDigest } : {}),
      ...(tls?.superuser ? { superuserCert: tls.superuser } : {}),
      ...(backup
        ? {
            backupConfigDigests: backup.configDigests,
            // Changes whenever the Secret is written, even by an `up` that then failed (whose
            // ClusterReady state kept the digests it had): the next `up` checks again.
            backupSecretVersion: backup.secret.metadata.resourceVersion,
          }
        : {}),
      ...reach,
    },
    {
      parent,
      dependsOn: [statefulSet, rw, ro, r, appSecret, ...(poolerDeployment ? [poolerDeployment] : [])],
    },
  );

  const rwHost = serviceHost(names.rw, ns);
  const uriQuery = tls ? `?${uriTlsQuery(APP_CA_FILE)}` : '';
  return {
    endpoints: pulumi.output({
      rw: `${rwHost}:5432`,
      ro: `${serviceHost(names.ro, ns)}:5432`,
      r: `${serviceHost(names.r, ns)}:5432`,
      ...(poolerHost ? { pooler: poolerHost } : {}),
    }),
    primary: ready.primary,
    connectionUri: pulumi.secret(
      passwords.apply(
        (p) =>
          `postgresql://${encodeURIComponent(app.owner)}:${encodeURIComponent(p.app)}@${rwHost}:5432/${encodeURIComponent(app.database)}${uriQuery}`,
      ),
    ),
    appSecretName: appSecret.metadata.name,
    superuserSecretName: superuserSecret.metadata.name,
    sqlConnection: pulumi.secret(
      pulumi.all([passwords, caCert, kubeconfig]).apply(([p, ca, config]): SqlConnection => ({
        kubernetes: {
          namespace: ns,
          pods: memberNames(spec),
          port: PG_PORT,
          ...(config !== undefined ? { kubeconfig: config } : {}),
          ...(platform.context !== undefined ? { context: platform.context } : {}),
        },
        user: SUPERUSER,
        password: p.superuser,
        database: 'postgres',
        ...(ca ? { ca } : {}),
      })),
    ),
    ready,
    statefulSet,
    // Known once this cluster is healthy: a replica cluster wired from it starts with a source to copy.
    replicationSource: pulumi.secret(
      pulumi.all([passwords, ready.primary]).apply(([p]): ReplicationSource => ({
        host: rwHost,
        port: PG_PORT,
        credentials: {
          [REPLICA_SOURCE_KEYS.replication]: p.replication,
          [REPLICA_SOURCE_KEYS.rewind]: p.rewind,
        },
      })),
    ),
  };
}
