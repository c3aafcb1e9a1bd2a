/**
 * The managed roles and databases for `status`: what pgcluster manages (its record), as the primary
 * has them now. When the primary cannot be reached, `exists` is null and the rest unknown.
 */
import type { ClusterAccess, ClusterEndpoints } from '../platform/types';
import { connectTarget, withClient } from '../sql/connect';
import { observeDatabases } from '../sql/databases/observe';
import { observeRoles } from '../sql/roles/observe';

export interface RoleStatus {
  name: string;
  /** null: the primary could not be asked. */
  exists: boolean | null;
  login: boolean | null;
  superuser: boolean | null;
  inRoles: string[];
  /** Whether pgcluster set (and watches) its password. */
  passwordManaged: boolean;
  validUntil: string | null;
}

export interface DatabaseStatus {
  name: string;
  exists: boolean | null;
  owner: string | null;
  reclaimPolicy: 'retain' | 'delete';
}

export async function sqlObjectsStatus(
  access: ClusterAccess,
  endpoints: ClusterEndpoints,
): Promise<{ roles: RoleStatus[]; databases: DatabaseStatus[] }> {
  const managed = access.managedSql?.();
  const roleNames = Object.keys(managed?.roles ?? {}).sort();
  const dbNames = Object.keys(managed?.databases ?? {}).sort();
  if (roleNames.length === 0 && dbNames.length === 0) return { roles: [], databases: [] };
  const seen = await connectTarget(endpoints.rw, access.superuser(), 'read-write')
    .then((client) =>
      withClient(client, async (c) => ({
        roles: await observeRoles(c, roleNames),
        databases: await observeDatabases(c, dbNames),
      })),
    )
    .catch(() => undefined);
  return {
    roles: roleNames.map((name) => {
      const r = seen?.roles.get(name);
      return {
        name,
        exists: seen ? r !== undefined : null,
        login: r?.attributes.login ?? null,
        superuser: r?.attributes.superuser ?? null,
        inRoles: r?.inRoles ?? [],
        passwordManaged: managed?.roles[name]?.passwordHash !== undefined,
        validUntil: r?.attributes.validUntil != null ? new Date(r.attributes.validUntil).toISOString() : null,
      };
    }),
    databases: dbNames.map((name) => {
      const d = seen?.databases.get(name);
      return {
        name,
        exists: seen ? d !== undefined : null,
        owner: d?.owner ?? null,
        reclaimPolicy: managed?.databases[name]?.reclaimPolicy ?? 'retain',
      };
    }),
  };
}
