/**
 * The OS user the cluster's processes run as. PostgreSQL refuses to run as root, so when pgcluster
 * is invoked as root the processes run as `postgres` (created by Debian's postgresql-common), or
 * the user named by PGCLUSTER_RUN_AS; otherwise as the invoking user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { InputError } from '../../errors';

export interface RunUser {
  name: string;
  uid: number;
  gid: number;
  /** True when the processes run as another user than the invoking one (we are root). */
  switched: boolean;
}

export function resolveRunUser(): RunUser {
  const me = userInfo();
  if (me.uid !== 0) return { name: me.username, uid: me.uid, gid: me.gid, switched: false };
  const name = process.env.PGCLUSTER_RUN_AS || 'postgres';
  let entry: string;
  try {
    entry = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new InputError(
      `pgcluster runs as root, and PostgreSQL cannot: it runs the cluster as the OS user "${name}", ` +
        'which does not exist (install postgresql-common, or set PGCLUSTER_RUN_AS to an unprivileged user)',
    );
  }
  const fields = entry.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (uid === 0) throw new InputError(`PGCLUSTER_RUN_AS=${name} is root: PostgreSQL refuses to run as root`);
  return { name, uid, gid, switched: true };
}

/**
 * Refuses a directory the run user could not reach (e.g. under root's 0700 home): the state dir, or
 * the programs it must run (`what` names it, with the fix).
 */
export function checkReachable(
  user: RunUser,
  dir: string,
  what = {
    field: `--state-dir ${dir}`,
    fix: 'choose a state dir it can reach, e.g. --state-dir /var/lib/pgcluster',
  },
): void {
  if (!user.switched) return;
  let current = resolve(dir);
  const blocked: string[] = [];
  for (;;) {
    try {
      const st = statSync(current);
      const mode = st.mode;
      const ok =
        st.uid === user.uid
          ? (mode & 0o100) !== 0
          : st.gid === user.gid
            ? (mode & 0o010) !== 0
            : (mode & 0o001) !== 0;
      if (!ok) blocked.push(current);
    } catch {
      // not created yet: created by us, reachable
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (blocked.length > 0)
    throw new InputError(
      `${what.field}: the cluster runs as OS user "${user.name}", who cannot enter ${blocked.join(', ')}; ${what.fix}`,
    );
}

/** Creates a directory (and missing parents) owned by the run user, without walking existing trees. */
export function ensureDir(user: RunUser, path: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) missing.unshift(p);
  mkdirSync(path, { recursive: true, mode });
  for (const p of missing) giveTo(user, p);
}

/** Gives one file or directory to the run user (no-op when not switched). */
export function giveTo(user: RunUser, path: string): void {
  if (!user.switched) return;
  const st = lstatSync(path);
  if (st.uid !== user.uid || st.gid !== user.gid) chownSync(path, user.uid, user.gid);
}
