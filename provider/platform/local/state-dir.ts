import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The state dir: --state-dir, else PGCLUSTER_STATE_DIR, else ~/.pgcluster. As root, the default is
 * /var/lib/pgcluster: the cluster runs as an unprivileged user who cannot enter root's home.
 */
export function defaultStateDir(): string {
  if (process.env.PGCLUSTER_STATE_DIR) return resolve(process.env.PGCLUSTER_STATE_DIR);
  return userInfo().uid === 0 ? '/var/lib/pgcluster' : join(homedir(), '.pgcluster');
}
