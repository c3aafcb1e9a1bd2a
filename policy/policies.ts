/** Every policy of the pgcluster pack, in the order the engine reports them. */
import type { Policies } from '@pulumi/policy';
import { productionHa } from './policies/production-ha';
import { backupRetention } from './policies/backup-retention';
import { backupRequired } from './policies/backup-required';
import { noSuperuserRoles } from './policies/no-superuser-roles';
import { poolerEnabled } from './policies/pooler-enabled';
import { kubernetesResources } from './policies/kubernetes-resources';
import { podDisruptionBudget } from './policies/pod-disruption-budget';
import { archiveBucket } from './policies/archive-bucket';

export const policies: Policies = [
  productionHa,
  backupRetention,
  backupRequired,
  noSuperuserRoles,
  poolerEnabled,
  kubernetesResources,
  podDisruptionBudget,
  archiveBucket,
];
