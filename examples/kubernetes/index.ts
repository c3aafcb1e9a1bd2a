// A highly available PostgreSQL cluster on Kubernetes: a StatefulSet of PostgreSQL + Patroni pods
// (Kubernetes DCS), -rw/-ro/-r Services, a PodDisruptionBudget, secrets and a PgBouncer pooler.
// `pulumi up` completes once the cluster is healthy (checked through a port-forward).
//
// Sized for one node by default (1Gi volumes of the default StorageClass, preferred anti-affinity);
// stack config changes it: pulumi config set instances 5, storageClass gp3, storageSize 100Gi,
// antiAffinity required, postgresVersion 17, namespace orders, imagePullPolicy Always, primary orders-2,
// and --path ha.ttl 30 (Patroni timing).
//
// WAL archive and backups with pgBackRest (each pod's TLS server, a CronJob per scheduled type):
// pulumi config set backup '{"s3": {"bucket": "orders-archive", "region": "eu-west-1",
//   "credentials": {"accessKeyId": {"fromEnv": "AWS_ACCESS_KEY_ID"},
//   "secretAccessKey": {"fromEnv": "AWS_SECRET_ACCESS_KEY"}}},
//   "schedule": {"full": "0 3 * * 0", "diff": "0 3 * * 1-6"}, "retention": {"full": 2}}'
// and a new cluster restored from another one's repository to a point in time (it archives to its own path):
// pulumi config set bootstrap '{"recovery": {"source": {"s3": {"bucket": "orders-archive", ...},
//   "stanza": "orders"}, "target": {"time": "2026-12-01T10:00:00Z"}}}'
// TLS on every connection to PostgreSQL and the pooler, from a CA of the cluster's own (the Secret
// orders-tls; the application Secret gets ca.crt and verify-full URIs):
// pulumi config set tls '{"required": true}'
// Metrics: postgres_exporter beside every member, Patroni's /metrics, the PgBouncer exporter beside the
// pooler, and a PodMonitor for the Prometheus Operator (its CRD must be installed):
// pulumi config set monitoring '{"podMonitor": true}'
// A client certificate for certificate auth (a role in tls.clientAuth.users), signed by the cluster's
// CA from its Secret through the API server (the CA's key stays out of the state; the client key is a
// secret output): pulumi config set certificateUser reporting
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { ClientCertificate, PostgresCluster, type PostgresClusterArgs } from 'pulumi-pgcluster';

const config = new pulumi.Config();
const namespace = config.get('namespace') ?? 'databases';

const ns = new k8s.core.v1.Namespace('databases', { metadata: { name: namespace } });

const cluster = new PostgresCluster('orders', {
  instances: config.getNumber('instances') ?? 3,
  postgresVersion: config.getNumber('postgresVersion') ?? 15,
  platform: {
    kubernetes: {
      namespace,
      storageClass: config.get('storageClass'),
      imagePullPolicy: (config.get('imagePullPolicy') ?? 'IfNotPresent') as 'IfNotPresent',
      peerWatch: config.getBoolean('peerWatch'),
    },
  },
  storage: { size: config.get('storageSize') ?? '1Gi' },
  scheduling: { antiAffinity: (config.get('antiAffinity') ?? 'preferred') as 'preferred' },
  synchronous: { number: 1, dataDurability: 'required' },
  parameters: { shared_buffers: '128MB', work_mem: '16MB' },
  pooler: { poolMode: 'transaction', defaultPoolSize: 20 },
  primary: config.get('primary'),
  // pulumi config set hibernate true: no pod, the volume claims (the data) kept; false resumes.
  hibernate: config.getBoolean('hibernate'),
  // pulumi config set fenced '["orders-3"]': PostgreSQL stopped on that member, its pod and claim kept.
  fenced: config.getObject<string[]>('fenced'),
  // pulumi config set removedMemberData delete: lowering instances deletes the removed members' claims.
  removedMemberData: config.get('removedMemberData') as 'keep' | 'delete' | undefined,
  backup: config.getObject<PostgresClusterArgs['backup']>('backup'),
  bootstrap: config.getObject<PostgresClusterArgs['bootstrap']>('bootstrap'),
  ha: config.getObject<{ ttl?: number; loopWait?: number; retryTimeout?: number }>('ha'),
  tls: config.getObject<PostgresClusterArgs['tls']>('tls'),
  monitoring: config.getObject<PostgresClusterArgs['monitoring']>('monitoring'),
  // Each entry becomes a Role, Database or Grant child, applied through a port-forward to the
  // primary: `pulumi refresh` shows a change made by hand.
  roles: [
    { name: 'readonly', inRoles: ['pg_read_all_data'] },
    { name: 'reporting', login: true, connectionLimit: 5, inRoles: ['readonly'] },
  ],
  databases: [{ name: 'reports', owner: 'reporting' }],
  grants: [{ role: 'readonly', database: 'reports', privileges: ['CONNECT'] }],
});

export const namespaceName = ns.metadata.name;
export const endpoints = cluster.endpoints;
export const primary = cluster.primary;
export const appSecret = cluster.appSecretName;
export const connectionUri = cluster.connectionUri;

const certificateUser = config.get('certificateUser');
const certificate = certificateUser
  ? new ClientCertificate(
      certificateUser,
      { cluster: 'orders', user: certificateUser, kubernetes: { namespace } },
      { dependsOn: [cluster] },
    )
  : undefined;
export const clientCertificate = certificate?.certificate;
export const clientKey = certificate?.privateKey;
export const clientCa = certificate?.ca;
