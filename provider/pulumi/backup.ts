/**
 * `Backup`: a backup of a cluster taken when the resource is created (or replaced: a new type, or a
 * new `trigger`), through the same action as `pgcluster backup`. Its outputs are what pgBackRest
 * recorded: label, type, LSN range, sizes and times. Deleting it deletes nothing: backups leave the
 * repository by the cluster's backup.retention, and `pulumi destroy` leaves the archive in place.
 * Closure-free dynamic resource (backup-impl, loaded by path inside the dynamic-provider host).
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import type { BackupType } from '../spec/backup';
import { implProvider } from './impl-provider';

export const backupProvider = implProvider(require.resolve('./backup-impl'));

export interface BackupArgs {
  /** The cluster to back up: its name (a PostgresCluster's `name`). */
  cluster: pulumi.Input<string>;
  /** Where the local platform keeps it. @default - the default state dir (PGCLUSTER_STATE_DIR, ~/.pgcluster) */
  stateDir?: pulumi.Input<string>;
  /**
   * A cluster on Kubernetes: its namespace, and the kubeconfig (its text; a secret) and context to
   * reach it. The backup runs in a member pod (a replica with backup.fromStandby). Absent: local.
   */
  kubernetes?: pulumi.Input<{
    namespace: pulumi.Input<string>;
    context?: pulumi.Input<string>;
    kubeconfig?: pulumi.Input<string>;
  }>;
  /** full, diff (since the last full) or incr (since the last backup). @default - full */
  type?: pulumi.Input<BackupType>;
  /** Any value; a change takes a new backup (the resource is replaced). */
  trigger?: pulumi.Input<string>;
}

export class Backup extends PgclusterResource {
  /** pgBackRest's label, e.g. 20261201-101500F. */
  declare readonly label: pulumi.Output<string>;
  /** The type pgBackRest took (an incr or diff with no full before it becomes a full). */
  declare readonly backupType: pulumi.Output<BackupType>;
  declare readonly lsnStart: pulumi.Output<string>;
  declare readonly lsnStop: pulumi.Output<string>;
  /** Size of the database, and what the backup takes in the repository, in bytes. */
  declare readonly size: pulumi.Output<number>;
  declare readonly repoSize: pulumi.Output<number>;
  declare readonly startedAt: pulumi.Output<string>;
  declare readonly stoppedAt: pulumi.Output<string>;

  constructor(name: string, args: BackupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      backupProvider,
      name,
      {
        stateDir: undefined,
        kubernetes: undefined,
        type: 'full',
        trigger: undefined,
        ...args,
        label: undefined,
        backupType: undefined,
        lsnStart: undefined,
        lsnStop: undefined,
        size: undefined,
        repoSize: undefined,
        startedAt: undefined,
        stoppedAt: undefined,
      },
      { ...opts, additionalSecretOutputs: ['kubernetes'] },
      TYPES.dynamicModule,
      TYPES.backup,
    );
  }
}
