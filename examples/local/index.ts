// A highly available PostgreSQL cluster on this machine: etcd, 3 Patroni members and PgBouncer as
// local processes. `pulumi up` creates it; edit the spec and `pulumi up` again to change it.
import { PostgresCluster } from 'pulumi-pgcluster';

const cluster = new PostgresCluster('demo', {
  instances: 3,
  platform: { local: { basePort: 15400 } },
  synchronous: { number: 1, dataDurability: 'required' },
  parameters: { work_mem: '8MB' },
  pooler: { poolMode: 'transaction' },
});

export const primary = cluster.primary;
export const endpoints = cluster.endpoints;
export const connectionUri = cluster.connectionUri;
