/**
 * The archive and the backups of a PostgresCluster on Kubernetes (render/kubernetes/backup): the
 * cluster's certificates for the members' pgBackRest TLS servers, the Secret with every pgBackRest
 * configuration (S3 keys and the cipher passphrase in it, a Pulumi secret), the ServiceAccount of the
 * backup jobs (no Role, no token; the IRSA role when there is one) and a CronJob per scheduled type.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ClusterSpec } from '../spec/cluster';
import type { KubernetesNames } from '../naming';
import { childNames } from '../naming';
import type { BackupSecrets } from '../secrets/references';
import { kubernetesPlatformOf } from '../render/kubernetes';
import {
  BACKUP_TYPE_LABEL,
  backupClientName,
  buildBackupCronJobs,
  buildBackupSecret,
  buildBackupServiceAccount,
  serverNames,
  type BackupMaterial,
} from '../render/kubernetes/backup';
import { ClusterCertificates } from './certificates';
import type { ArchiveIdentity } from './archive-bucket';

/** What the component read or created for the archive: the references' values, the bucket's identity. */
export interface KubernetesBackupInputs {
  secrets: BackupSecrets;
  archive?: ArchiveIdentity;
  /** Where a relative backup.s3.caFile starts (the program's directory). */
  baseDir: string;
}

/** The annotation EKS reads to give a service account's pods an IAM role (IRSA). */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** The spec with the bucket the component created filled in. */
export function withBucket(spec: ClusterSpec, bucket: string | undefined): ClusterSpec {
  if (!spec.backup || bucket === undefined) return spec;
  return { ...spec, backup: { ...spec.backup, s3: { ...spec.backup.s3, bucket } } };
}

/** backup.s3.caFile's PEM, read by the deployer: a clear error naming the field when it is not one. */
export function readS3Ca(spec: ClusterSpec, baseDir: string): string | undefined {
  const caFile = spec.backup?.s3.caFile;
  if (!caFile) return undefined;
  const path = isAbsolute(caFile) ? caFile : resolve(baseDir, caFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `backup.s3.caFile: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text))
    throw new Error(`backup.s3.caFile: ${path} holds no PEM certificate`);
  return text;
}

function argsOf<T extends { metadata: unknown }>(object: T): Omit<T, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = object as T & { apiVersion?: string; kind?: string };
  return rest;
}

function withAnnotation<T extends { metadata: Record<string, unknown> }>(
  object: T,
  annotations: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
) {
  return annotations ? { ...object, metadata: { ...object.metadata, annotations } } : object;
}

export interface KubernetesBackupChildren {
  /** The members mount it: the StatefulSet waits for it. */
  secret: k8s.core.v1.Secret;
  cronJobs: k8s.batch.v1.CronJob[];
  /** The spec with the created bucket in it (what the readiness check and the pods' files use). */
  spec: pulumi.Output<ClusterSpec>;
  /** The IRSA annotation for the members' service account too. */
  serviceAccountAnnotations?: pulumi.Output<Record<string, string>>;
}

export function createKubernetesBackup(
  parent: pulumi.ComponentResource,
  resourceName: string,
  spec: ClusterSpec,
  names: KubernetesNames,
  inputs: KubernetesBackupInputs,
  s3Ca: string | undefined,
): KubernetesBackupChildren {
  const platform = kubernetesPlatformOf(spec);
  const ns = platform.namespace;
  const child = childNames(resourceName);
  const opts = { parent };
  const certificates = new ClusterCertificates(
    child.backupCertificates,
    {
      caName: `pgcluster ${spec.name} (${ns}) CA`,
      server: { commonName: names.headless, dnsNames: serverNames(names, ns) },
      client: { commonName: backupClientName(spec.name) },
    },
    opts,
  );
  const bucket = inputs.archive?.bucket ?? pulumi.output(spec.backup!.s3.bucket as string);
  const resolved = bucket.apply((b) => withBucket(spec, b));
  const accessKey = inputs.archive?.accessKey;
  const material = pulumi
    .all([
      certificates.caCert,
      certificates.serverCert,
      certificates.serverKey,
      certificates.clientCert,
      certificates.clientKey,
      accessKey?.accessKeyId,
      accessKey?.secretAccessKey,
    ])
    .apply(([caCert, serverCert, serverKey, clientCert, clientKey, id, key]): BackupMaterial => ({
      caCert,
      serverCert,
      serverKey,
      clientCert,
      clientKey,
      keys: id && key ? { accessKeyId: id, secretAccessKey: key } : inputs.secrets.s3,
      passphrase: inputs.secrets.passphrase,
      s3Ca,
    }));
  const secretObject = pulumi.all([resolved, material]).apply(([s, m]) => buildBackupSecret(s, names, m));
  const secret = new k8s.core.v1.Secret(
    child.pgbackrestSecret,
    {
      metadata: secretObject.metadata,
      type: secretObject.type,
      stringData: pulumi.secret(secretObject.stringData),
    },
    opts,
  );
  const roleArn = inputs.archive?.roleArn;
  const serviceAccountAnnotations = roleArn
    ? roleArn.apply((arn): Record<string, string> => ({ [IRSA_ANNOTATION]: arn }))
    : undefined;
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    child.backupServiceAccount,
    withAnnotation(argsOf(buildBackupServiceAccount(spec, names)), serviceAccountAnnotations),
    opts,
  );
  const cronJobs = buildBackupCronJobs(spec, platform, names).map(
    (job) =>
      new k8s.batch.v1.CronJob(
        child.backupCronJob(job.metadata.labels[BACKUP_TYPE_LABEL] as string),
        argsOf(job),
        { parent, dependsOn: [secret, serviceAccount] },
      ),
  );
  return { secret, cronJobs, spec: resolved, serviceAccountAnnotations };
}
