// A highly available PostgreSQL cluster on this machine: etcd, 3 Patroni members and PgBouncer as
// local processes. `pulumi up` creates it; edit the spec (or the stack config) and `pulumi up`
// again to change it. Optional stack config, e.g.:
//   pulumi config set instances 2
//   pulumi config set --path parameters.shared_buffers 64MB
//   pulumi config set primary demo-2          # switch over to demo-2
//   pulumi config set --path backup.s3.bucket my-bucket ...  # a WAL archive and backups (S3), and a first backup
import * as pulumi from '@pulumi/pulumi';
import { Backup, PostgresCluster, type PostgresClusterArgs } from 'pulumi-pgcluster';

const config = new pulumi.Config();
const backup = config.getObject<NonNullable<PostgresClusterArgs['backup']>>('backup');

const cluster = new PostgresCluster('demo', {
  instances: config.getNumber('instances') ?? 3,
  platform: { local: { basePort: config.getNumber('basePort') ?? 15400 } },
  synchronous: { number: 1, dataDurability: 'required' },
  parameters: { work_mem: '8MB', ...config.getObject<Record<string, string>>('parameters') },
  pooler: { poolMode: 'transaction' },
  primary: config.get('primary'),
  // Each entry becomes a Role, Database or Grant child: `pulumi refresh` shows a change made by
  // hand, and an entry removed from here is dropped (a database only with reclaimPolicy delete).
  roles: [
    { name: 'readonly', inRoles: ['pg_read_all_data'] },
    { name: 'reporting', login: true, connectionLimit: 5, inRoles: ['readonly'] },
  ],
  databases: [{ name: 'reports', owner: 'reporting', schemas: [{ name: 'monthly', owner: 'reporting' }] }],
  grants: [{ role: 'readonly', database: 'reports', privileges: ['CONNECT'] }],
  ...(backup ? { backup } : {}),
});

// With an archive: a full backup once the cluster is up (its outputs: label, LSN range, sizes, times).
const first = backup
  ? new Backup('demo-first-backup', { cluster: 'demo', type: 'full' }, { dependsOn: cluster })
  : undefined;
export const firstBackup = first?.label;

export const primary = cluster.primary;
export const endpoints = cluster.endpoints;
export const connectionUri = cluster.connectionUri;
