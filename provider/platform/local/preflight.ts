/** Port checks before anything starts: clashes with other clusters, and ports taken by others. */
import type { ClusterSpec } from '../../spec/cluster';
import { InputError } from '../../errors';
import { memberName } from '../../naming';
import { basePortOf, type LocalCluster } from './cluster-context';
import { etcdPid, memberPids, poolerPid } from './pids';
import { memberPorts, portIsFree } from './ports';
import type { ClusterRecord } from './state';
import { readRecord } from './state';

/** Ports a local cluster reserves: basePort .. basePort + PORT_SPAN. */
export const PORT_SPAN = 60;

export async function checkPorts(
  stateDir: string,
  spec: ClusterSpec,
  lc: LocalCluster,
  others: ClusterRecord[],
): Promise<void> {
  const base = basePortOf(spec);
  for (const other of others) {
    if (!other.spec.platform.local) continue;
    const theirs = other.spec.platform.local.basePort;
    if (Math.abs(theirs - base) <= PORT_SPAN)
      throw new InputError(
        `platform.local.basePort ${base}: overlaps cluster "${other.name}" (basePort ${theirs}) in ${stateDir}; ` +
          `local clusters need basePorts at least ${PORT_SPAN + 1} apart`,
      );
  }
  const record = readRecord(lc.paths.stateFile);
  const slots = new Set(record?.slots ?? []);
  for (let slot = 1; slots.size < spec.instances; slot++) slots.add(slot);
  const wanted: Array<[number, string, boolean]> = [];
  wanted.push([lc.ports.pooler, 'PgBouncer', spec.pooler.enabled && poolerPid(lc) === undefined]);
  const etcdRuns = etcdPid(lc) !== undefined;
  wanted.push([lc.ports.etcdClient, 'etcd client', !etcdRuns], [lc.ports.etcdPeer, 'etcd peer', !etcdRuns]);
  for (const slot of slots) {
    const name = memberName(spec.name, slot);
    const pids = memberPids(lc, name);
    const ports = memberPorts(base, slot);
    wanted.push(
      [ports.postgres, `PostgreSQL of ${name}`, !pids.supervisor && !pids.postmaster],
      [ports.rest, `Patroni REST API of ${name}`, !pids.supervisor],
    );
  }
  const taken: string[] = [];
  for (const [port, what, mustBeFree] of wanted) {
    if (mustBeFree && !(await portIsFree(port))) taken.push(`${port} (${what})`);
  }
  if (taken.length > 0)
    throw new InputError(
      `platform.local.basePort ${base}: port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use on 127.0.0.1; ` +
        `choose another basePort (the cluster uses ${base}..${base + PORT_SPAN})`,
    );
}
