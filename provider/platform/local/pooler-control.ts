/**
 * The local PgBouncer steered around a planned switchover, through its admin console: loosen
 * (session clients pooled per transaction for the moment), PAUSE, then repoint and RESUME.
 */
import type { ClusterSpec } from '../../spec/cluster';
import { memberSlot, POOLER_ADMIN_USER } from '../../naming';
import { renderPoolerDatabases } from '../../render/pgbouncer';
import type { PoolerControl } from '../types';
import { PoolerAdmin } from '../pooler-admin';
import { memberContext, type LocalCluster } from './cluster-context';
import { poolerPid } from './pids';
import { giveTo } from './run-user';
import { readText, writeFileAtomic, type StoredSecrets } from './state';

export function localPoolerControl(
  lc: LocalCluster,
  spec: ClusterSpec,
  secrets: StoredSecrets,
): PoolerControl | undefined {
  if (!spec.pooler.enabled || !poolerPid(lc)) return undefined;
  const admin = new PoolerAdmin(
    { host: lc.host, port: lc.ports.pooler },
    { user: POOLER_ADMIN_USER, password: secrets.poolerAdminPassword },
  );
  const target = (member: string) => {
    const slot = memberSlot(lc.name, member);
    if (slot === undefined) throw new Error(`${member} is not a member of ${lc.name}`);
    const ctx = memberContext(lc, slot);
    return { host: ctx.host, port: ctx.postgresPort };
  };
  let loosened = false;
  const writeTarget = (content: string) => {
    writeFileAtomic(lc.paths.pooler.databases, content, 0o600);
    giveTo(lc.user, lc.paths.pooler.databases);
  };
  return {
    // The running setting only: the target stays as it is (a changed [databases] line would make
    // PgBouncer replace every server connection now), and the next RELOAD, by resumeAt or by the
    // new primary's callback, restores pgbouncer.ini's pool_mode.
    loosen: async () => {
      if (spec.pooler.poolMode !== 'session' || !spec.pooler.carrySessions) return;
      await admin.run("SET pool_mode = 'transaction'");
      loosened = true;
    },
    pause: (timeoutMs) => admin.pause(timeoutMs),
    // The new primary's callback (pooler-follow.py) may have repointed it already, with its own
    // RELOAD: then only the pool mode goes back and the clients resume, since another RELOAD would
    // drop the session clients already running there (PgBouncer 1.18 under server TLS).
    resumeAt: async (member) => {
      const content = renderPoolerDatabases(target(member));
      if (readText(lc.paths.pooler.databases) === content)
        return admin.resume(loosened ? [`SET pool_mode = '${spec.pooler.poolMode}'`] : []);
      writeTarget(content);
      await admin.reloadAndResume();
    },
  };
}
