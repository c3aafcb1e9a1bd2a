// A highly available PostgreSQL cluster on Kubernetes: a StatefulSet of PostgreSQL + Patroni pods
// (Kubernetes DCS), -rw/-ro/-r Services, a PodDisruptionBudget, secrets and a PgBouncer pooler.
// `pulumi up` completes once the cluster is healthy (checked through a port-forward).
import { PostgresCluster } from 'pulumi-pgcluster';

const cluster = new PostgresCluster('orders', {
  instances: 3,
  platform: { kubernetes: { namespace: 'databases', storageClass: 'standard' } },
  storage: { size: '20Gi', walSize: '5Gi' },
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
  scheduling: { antiAffinity: 'required', spreadAcrossZones: true },
  synchronous: { number: 1, dataDurability: 'required' },
  parameters: { shared_buffers: '256MB', work_mem: '16MB' },
  pooler: { poolMode: 'transaction', defaultPoolSize: 20 },
});

export const endpoints = cluster.endpoints;
export const primary = cluster.primary;
export const appSecret = cluster.appSecretName;
export const connectionUri = cluster.connectionUri;
