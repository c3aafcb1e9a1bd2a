/**
 * Application roles are not superusers: a superuser bypasses every privilege and can read or
 * destroy any database of the cluster. pgcluster's own superuser (postgres) is not in roles[];
 * a role the policy config names in allowedSuperuserRoles is accepted.
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { clusterLabel, specOf, type ClusterSpecView } from '../lib/spec';
import { configWithDefaults } from '../lib/config';

export const NO_SUPERUSER_ROLES = 'pgcluster-no-superuser-roles';

export interface NoSuperuserConfig {
  allowedSuperuserRoles: string[];
}

export function superuserProblems(spec: ClusterSpecView, config: NoSuperuserConfig): string[] {
  return spec.roles.flatMap((role, index) =>
    role.superuser && role.ensure !== 'absent' && !config.allowedSuperuserRoles.includes(role.name)
      ? [
          `roles[${index}] (${JSON.stringify(role.name)}).superuser is true; required: false ` +
            '(grant the privileges the application needs instead, or name the role in the ' +
            `policy's allowedSuperuserRoles)`,
        ]
      : [],
  );
}

export const noSuperuserRoles: ResourceValidationPolicy = {
  name: NO_SUPERUSER_ROLES,
  description:
    'No role declared in a PostgresCluster roles[] is a superuser, except those the policy ' +
    'config allows by name (allowedSuperuserRoles).',
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
    const found = specOf(args);
    if (!found) return;
    const config = configWithDefaults(args, { allowedSuperuserRoles: [] as string[] });
    for (const problem of superuserProblems(found.spec, config))
      reportViolation(`${clusterLabel(found.spec)}: ${problem}.`);
  },
};
