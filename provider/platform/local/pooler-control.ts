/**
 * The local PgBouncer steered around a planned switchover, through its admin console: loosen
 * (session clients pooled per transaction for the moment), PAUSE (now, or armed for the moment the
 * primary stops: the switchover mark, read by the before_stop hook in pooler-follow.py), then
 * repoint and RESUME.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { ClusterSpec } from '../../spec/cluster';
import { memberSlot, POOLER_ADMIN_USER } from '../../naming';
import { renderPoolerDatabases } from '../../render/pgbouncer';
import type { PoolerControl } from '../types';
import { PoolerAdmin } from '../pooler-admin';
import { BEFORE_STOP_HOOK, memberContext, type LocalCluster } from './cluster-context';
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
  /** The switchover mark: `leader` set arms the before_stop hook of that member. */
  const mark = (leader: string | undefined, timeoutMs: number) => {
    rmSync(lc.paths.pooler.switchoverPaused, { force: true });
    const body = { at: Date.now(), ...(leader ? { leader, pauseTimeoutMs: timeoutMs } : {}) };
    writeFileAtomic(lc.paths.pooler.switchoverMark, `${JSON.stringify(body)}\n`, 0o644);
  };
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
    // The mark tells the new primary's callback that this switchover repoints the pooler itself.
    pause: (timeoutMs) => {
      mark(undefined, timeoutMs);
      return admin.pause(timeoutMs);
    },
    // Only a member whose running configuration has the hook (written by an `up` of this version).
    pauseAtStop: (leader, timeoutMs) => {
      const config = lc.paths.member(leader).config;
      if (!existsSync(config) || !readFileSync(config, 'utf8').includes(BEFORE_STOP_HOOK)) return false;
      mark(leader, timeoutMs);
      return true;
    },
    pausedAtStop: () => {
      const text = readText(lc.paths.pooler.switchoverPaused);
      if (text === undefined) return undefined;
      const r = JSON.parse(text) as { at: number; ms: number; complete: boolean; busy?: number };
      return { at: r.at, ms: r.ms, complete: r.complete, busy: r.busy ?? -1 };
    },
    // The new primary's callback (pooler-follow.py) may have repointed it already, with its own
    // RELOAD: then only the pool mode goes back and the clients resume, since another RELOAD would
    // drop the session clients already running there (PgBouncer 1.18 under server TLS).
    resumeAt: async (member) => {
      try {
        const content = renderPoolerDatabases(target(member));
        if (readText(lc.paths.pooler.databases) === content)
          return await admin.resume(loosened ? [`SET pool_mode = '${spec.pooler.poolMode}'`] : []);
        writeTarget(content);
        await admin.reloadAndResume();
      } finally {
        rmSync(lc.paths.pooler.switchoverMark, { force: true });
        rmSync(lc.paths.pooler.switchoverPaused, { force: true });
      }
    },
  };
}
