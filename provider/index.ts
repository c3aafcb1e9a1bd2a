/** pulumi-pgcluster: the public API of the package. */
export * from './spec';
export * from './errors';
export { LocalPlatform } from './platform/local';
export { defaultStateDir } from './platform/local/state-dir';
export type * from './platform/types';
export { up, type UpResult } from './actions/up';
export { down, destroy } from './actions/lifecycle';
export { status, type ClusterStatus, type MemberStatus } from './actions/status';
export { switchover, type SwitchoverResult } from './actions/switchover';
export { clusterUris } from './actions/uri';
export { consoleReporter, silentReporter, type Reporter } from './report/reporter';
export {
  PostgresCluster,
  POSTGRES_CLUSTER_TYPE,
  type PostgresClusterArgs,
  type ClusterEndpointsOutput,
} from './pulumi/component';
export { Role, type RoleArgs, type SqlConnectionInput } from './pulumi/role';
export { Database, type DatabaseArgs } from './pulumi/database';
export { Grant, type GrantArgs } from './pulumi/grant';
export { Backup, type BackupArgs } from './pulumi/backup';
export { ClientCertificate, type ClientCertificateArgs } from './pulumi/client-certificate';
export type { SqlConnection } from './sql/target';
