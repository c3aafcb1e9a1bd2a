/**
 * `PostgresCluster`: the Pulumi component (type token pgcluster:index:PostgresCluster).
 * Args are the cluster spec; they are validated with the same zod schemas and rules as the CLI
 * before anything is registered. The platform decides the children: Kubernetes objects plus a
 * readiness resource, or one local-cluster dynamic resource.
 */
import * as pulumi from '@pulumi/pulumi';
import type { ClusterSpec, ClusterSpecInput } from '../spec/cluster';
import { childNames, kubernetesNames, TYPES } from '../naming';
import { readS3Ca, readSourceS3Ca } from './kubernetes-backup';
import { defaultStateDir } from '../platform/local/state-dir';
import { firstUnknownPath, specError, validateKnownArgs } from './validate';
import { createKubernetesChildren } from './kubernetes';
import { LocalCluster } from './local';
import { createSqlChildren, withoutSqlObjects } from './sql-children';
import { resolveBackupSecrets, resolvePasswords, type BackupSecrets } from '../secrets/references';
import { poolerUsersFrom } from '../sql/pooler-users';
import { parseSpec } from '../spec/parse';
import type { SqlConnection } from '../sql/target';
import { createArchiveIdentity, type ArchiveIdentity } from './archive-bucket';
import { repoPath } from '../render/pgbackrest';
import { isReplicaCluster } from '../spec/replica';
import type { ReplicationSource } from './kubernetes';
import { kubeconfigIssue, takeKubeconfig } from './kubeconfig-arg';

export const POSTGRES_CLUSTER_TYPE = TYPES.postgresCluster;

/** The cluster spec, each value a pulumi.Input; `name` defaults to the Pulumi resource name. */
export type PostgresClusterArgs = {
  [K in keyof Omit<ClusterSpecInput, 'name'>]?: pulumi.Input<ClusterSpecInput[K]>;
} & {
  name?: pulumi.Input<string>;
};

export interface ClusterEndpointsOutput {
  rw: string;
  ro: string;
  r: string;
  pooler?: string;
}

/**
 * Keys that decide which children exist (and the bootstrap owner, which the roles rules need):
 * they must be known when the component is constructed.
 */
const STRUCTURAL = ['platform', 'pooler', 'bootstrap', 'roles', 'databases', 'grants'] as const;

/**
 * On kubernetes every arg must be known when the component is constructed (what the kubernetes
 * platform cannot do is refused by the spec's rules, the same for the CLI).
 */
function refusedOnKubernetes(name: string, known: ClusterSpec | undefined, unknownAt?: string) {
  if (!known)
    return `PostgresCluster ${name}: on the kubernetes platform every arg must be known at construction (${unknownAt} is not)`;
  return undefined;
}

const prefixed = (name: string, issue: string | undefined) =>
  issue === undefined ? undefined : `PostgresCluster ${name}: ${issue}`;

export class PostgresCluster extends pulumi.ComponentResource {
  /** host:port of the read-write, read-only, any-member and pooler endpoints. */
  declare readonly endpoints: pulumi.Output<ClusterEndpointsOutput>;
  /** The member that is primary, as last observed. */
  declare readonly primary: pulumi.Output<string>;
  /** libpq URI of the application database through the rw endpoint (secret). */
  declare readonly connectionUri: pulumi.Output<string>;
  /** Kubernetes Secret holding the application credentials (kubernetes platform). */
  declare readonly appSecretName: pulumi.Output<string | undefined>;
  /** Kubernetes Secret holding the superuser credentials (kubernetes platform). */
  declare readonly superuserSecretName: pulumi.Output<string | undefined>;
  /** The superuser's connection to the primary (secret): for standalone Role, Database and Grant resources. */
  declare readonly adminConnection: pulumi.Output<SqlConnection>;
  /** True while the cluster is a replica cluster: read-only. */
  declare readonly readOnly: pulumi.Output<boolean>;
  /** platform.kubernetes: what a replica cluster of this one is given (secret). */
  declare readonly replicationSource: pulumi.Output<ReplicationSource | undefined>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // platform.kubernetes.kubeconfig may be unknown at construction, and is kept out of every spec.
    const {
      args: plainArgs,
      given: givenKubeconfig,
      deployer,
    } = takeKubeconfig((args ?? {}) as Record<string, unknown>);
    const unknownAt = firstUnknownPath(plainArgs);
    for (const key of STRUCTURAL) {
      const path = firstUnknownPath(plainArgs[key], key);
      if (path)
        throw new pulumi.ResourceError(
          `PostgresCluster ${name}: ${path} must be a known value when the component is constructed (it decides which resources exist)`,
          opts?.parent,
        );
    }
    // Known args are validated before anything is registered; the rest once their Outputs resolve.
    const known = unknownAt === undefined ? validateKnownArgs(name, plainArgs) : undefined;
    const structural = known ?? validateKnownArgs(name, withStructuralOnly(plainArgs));
    let passwords: Map<string, string>;
    let backupSecrets: BackupSecrets = {};
    try {
      passwords = resolvePasswords(structural, process.cwd());
      if (known) backupSecrets = resolveBackupSecrets(known, process.cwd());
    } catch (e) {
      throw new pulumi.ResourceError(`PostgresCluster ${name}: ${(e as Error).message}`, opts?.parent);
    }
    const refusal = structural.platform.kubernetes
      ? (refusedOnKubernetes(name, known, unknownAt) ??
        prefixed(name, kubeconfigIssue(givenKubeconfig, structural.platform.kubernetes.context)))
      : undefined;
    if (refusal) throw new pulumi.ResourceError(refusal, opts?.parent);
    let s3Ca: string | undefined;
    let sourceS3Ca: string | undefined;
    try {
      if (structural.platform.kubernetes && known) {
        s3Ca = readS3Ca(known, process.cwd());
        sourceS3Ca = readSourceS3Ca(known, process.cwd());
      }
    } catch (e) {
      throw new pulumi.ResourceError(`PostgresCluster ${name}: ${(e as Error).message}`, opts?.parent);
    }
    super(POSTGRES_CLUSTER_TYPE, name, {}, opts);
    const spec: pulumi.Output<ClusterSpec> = known
      ? pulumi.output(known)
      : pulumi.output(plainArgs).apply((resolved) => {
          try {
            return parseSpec({ name, ...resolved });
          } catch (e) {
            throw specError(name, e, this);
          }
        });

    const archive = archiveOf(name, plainArgs, known, this);
    if (structural.platform.kubernetes && known) {
      const children = createKubernetesChildren(this, name, known, passwords, {
        secrets: backupSecrets,
        archive,
        baseDir: process.cwd(),
        s3Ca,
        sourceS3Ca,
        deployer,
      });
      const sql = createSqlChildren(known, passwords, {
        parent: this,
        resourceName: name,
        connection: children.sqlConnection,
        after: [children.ready],
        deletedWith: children.statefulSet,
      });
      this.endpoints = children.endpoints;
      this.primary = children.primary;
      this.connectionUri = children.connectionUri;
      this.appSecretName = children.appSecretName;
      this.superuserSecretName = children.superuserSecretName;
      this.adminConnection = pulumi.secret(children.sqlConnection) as pulumi.Output<SqlConnection>;
      // Known once the roles exist too: a replica cluster may stream as one of them (its dedicated role).
      const created = [...sql.roles.values(), ...sql.databases.values(), ...sql.grants].map((r) => r.urn);
      this.replicationSource = pulumi
        .all([pulumi.all(created), children.replicationSource])
        .apply(([, source]) => source);
    } else {
      const local = new LocalCluster(
        childNames(name).local,
        {
          stateDir: defaultStateDir(),
          spec: pulumi
            .all([spec, archive?.bucket])
            .apply(([resolved, bucket]) => withArchiveBucket(withoutSqlObjects(resolved), bucket)),
          poolerUsers: pulumi.secret(poolerUsersFrom(structural.roles, passwords)),
          backupInputs: pulumi.secret(
            pulumi
              .all([spec, archive?.accessKey?.accessKeyId, archive?.accessKey?.secretAccessKey])
              .apply(([resolved, accessKeyId, secretAccessKey]) => ({
                secrets: {
                  ...(known ? backupSecrets : resolveBackupSecrets(resolved, process.cwd())),
                  ...(accessKeyId && secretAccessKey ? { s3: { accessKeyId, secretAccessKey } } : {}),
                },
                baseDir: process.cwd(),
              })),
          ),
        },
        { parent: this },
      );
      createSqlChildren(structural, passwords, {
        parent: this,
        resourceName: name,
        connection: local.adminConnection,
        after: [local],
        deletedWith: local,
      });
      this.endpoints = local.endpoints;
      this.primary = local.primary;
      this.connectionUri = local.connectionUri;
      this.appSecretName = pulumi.output(undefined);
      this.superuserSecretName = pulumi.output(undefined);
      this.adminConnection = local.adminConnection;
      this.replicationSource = pulumi.output(undefined);
    }
    this.readOnly = spec.apply((s) => isReplicaCluster(s));
    this.registerOutputs({
      endpoints: this.endpoints,
      primary: this.primary,
      connectionUri: this.connectionUri,
      appSecretName: this.appSecretName,
      superuserSecretName: this.superuserSecretName,
      adminConnection: this.adminConnection,
      readOnly: this.readOnly,
      replicationSource: this.replicationSource,
    });
  }
}

/**
 * The archive bucket and identity the component creates when backup.s3 names no bucket (a given
 * bucket, even an Output, is used as it is). Their settings must then be known at construction.
 */
function archiveOf(
  name: string,
  args: Record<string, unknown>,
  known: ClusterSpec | undefined,
  parent: pulumi.Resource,
): ArchiveIdentity | undefined {
  const backup = args.backup as { s3?: { bucket?: unknown; irsa?: unknown } } | undefined;
  if (!backup || pulumi.Output.isInstance(backup) || !backup.s3 || pulumi.Output.isInstance(backup.s3))
    return undefined;
  // A given bucket needs nothing created, unless the pods get an IRSA role for it.
  if (backup.s3.bucket !== undefined && backup.s3.irsa === undefined) return undefined;
  if (!known?.backup)
    throw new pulumi.ResourceError(
      `PostgresCluster ${name}: backup must be known when the component creates its bucket (backup.s3.bucket is absent)`,
      parent,
    );
  const k8s = known.platform.kubernetes;
  const names = kubernetesNames(known.name);
  return createArchiveIdentity(parent, name, {
    cluster: known.name,
    prefix: repoPath(known.backup.s3, known.name),
    s3: known.backup.s3,
    ...(k8s
      ? {
          serviceAccounts: [
            { namespace: k8s.namespace, name: names.serviceAccount },
            { namespace: k8s.namespace, name: names.backupServiceAccount },
          ],
        }
      : {}),
  });
}

function withArchiveBucket(spec: ClusterSpec, bucket: string | undefined): ClusterSpec {
  if (!spec.backup || bucket === undefined) return spec;
  return { ...spec, backup: { ...spec.backup, s3: { ...spec.backup.s3, bucket } } };
}

/** The args with every unknown value replaced by its absence, to read the structural keys. */
function withStructuralOnly(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of STRUCTURAL) if (args[key] !== undefined) out[key] = args[key];
  return out;
}
