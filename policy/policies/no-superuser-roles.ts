/**
 * Application roles are not superusers: a superuser bypasses every privilege and can read or
 * destroy any database of the cluster. Every roles[] entry of a PostgresCluster is a `Role`
 * resource (on both platforms), and a `Role` can also be declared on its own: the policy checks
 * them all. pgcluster's own superuser (postgres) is no Role; a role the policy config names in
 * allowedSuperuserRoles is accepted.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { configWithDefaults } from '../lib/config';

export const NO_SUPERUSER_ROLES = 'pgcluster-no-superuser-roles';

/** Type token of the Role dynamic resource (provider/naming.ts TYPES.role). */
export const ROLE_TYPE = 'pulumi-nodejs:dynamic/pgcluster:Role';

export interface NoSuperuserConfig {
  allowedSuperuserRoles: string[];
}

export interface RoleView {
  name: string;
  ensure?: 'present' | 'absent';
  superuser?: boolean;
}

export function superuserProblem(role: RoleView, config: NoSuperuserConfig): string | undefined {
  if (!role.superuser || role.ensure === 'absent' || config.allowedSuperuserRoles.includes(role.name))
    return undefined;
  return (
    `role ${JSON.stringify(role.name)}: superuser is true; required: false (grant the privileges the ` +
    "application needs instead, or name the role in the policy's allowedSuperuserRoles)"
  );
}

export const noSuperuserRoles: ResourceValidationPolicy = {
  name: NO_SUPERUSER_ROLES,
  description:
    'No Role (a PostgresCluster roles[] entry, or a Role declared on its own) is a superuser, ' +
    'except those the policy config allows by name (allowedSuperuserRoles).',
  enforcementLevel: 'mandatory',
  severity: 'high',
  configSchema: {
    properties: {
      allowedSuperuserRoles: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'Role names that may be superusers (exact, case-sensitive).',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== ROLE_TYPE || typeof args.props.name !== 'string') return;
    const config = configWithDefaults(args, { allowedSuperuserRoles: [] as string[] });
    const problem = superuserProblem(args.props as RoleView, config);
    if (problem) reportViolation(`${problem} (resource ${args.name}).`);
  },
};
