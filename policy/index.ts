/**
 * The pgcluster policy pack (CrossGuard): `pulumi preview --policy-pack <this directory>`.
 * Policies and their configuration: policies.ts and policies/*.ts; README.md.
 */
import { PolicyPack } from '@pulumi/policy';
import { policies } from './policies';

new PolicyPack('pgcluster', {
  description: 'Production rules for pgcluster PostgreSQL clusters: HA, backups, roles, pooler, Kubernetes.',
  enforcementLevel: 'mandatory',
  policies,
});
