/**
 * The keeper daemon of one local cluster (started by platform/local/keeper.ts):
 *   node keeper.js <state dir> <cluster>
 * Every TICK_MS it looks at each member's supervisor (and at etcd): a member whose processes are
 * gone is restarted as `up` would start it, with the backoff of plan/keeper.ts; fenced members are
 * left alone, and nothing is touched while `up`/`down` work on the cluster (the busy file). One log
 * line per action, with how long the member had been down; keeper.json holds the state (status).
 * SIGTERM stops it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memberName } from '../naming';
import { planKeeper, type KeeperMemberState } from '../plan/keeper';
import { findLocalBinaries } from '../platform/local/binaries';
import { basePortOf, localCluster } from '../platform/local/cluster-context';
import { ensureEtcd } from '../platform/local/etcd';
import { isBusy } from '../platform/local/keeper';
import { startMember, stopOrphanPostmaster } from '../platform/local/member';
import { etcdPid, memberPids } from '../platform/local/pids';
import { resolveRunUser } from '../platform/local/run-user';
import { readRecord, writeFileAtomic } from '../platform/local/state';

const TICK_MS = 250;

const found = new Map<number, ReturnType<typeof findLocalBinaries>>();
/** Looked up once per PostgreSQL version, not on every tick. */
function binaries(version: number) {
  const known = found.get(version) ?? findLocalBinaries(version);
  found.set(version, known);
  return known;
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} keeper[${process.pid}]: ${message}\n`);
}

async function main(): Promise<void> {
  const [stateDir, name] = process.argv.slice(2);
  if (!stateDir || !name) throw new Error('usage: keeper.js <state dir> <cluster>');
  const user = resolveRunUser();
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  process.on('SIGINT', () => (stopping = true));
  log(`keeping ${name}`);
  while (!stopping) {
    await new Promise((r) => setTimeout(r, TICK_MS));
    const record = readRecord(join(stateDir, name, 'cluster.json'));
    if (!record) {
      log(`cluster ${name} is gone; stopping`);
      return;
    }
    const lc = localCluster(stateDir, name, basePortOf(record.spec), user, false, record.spec.platform.local);
    if (isBusy(lc)) continue;
    const bins = binaries(record.spec.postgresVersion);
    if (!etcdPid(lc)) {
      const t0 = Date.now();
      if (await ensureEtcd(lc, bins.etcd)) log(`restarted etcd in ${Date.now() - t0} ms`);
    }
    let previous: Record<string, KeeperMemberState> = {};
    try {
      previous = JSON.parse(readFileSync(lc.paths.keeper.state, 'utf8')) as Record<string, KeeperMemberState>;
    } catch {
      // none yet
    }
    const fenced = record.fenced ?? record.spec.fenced ?? [];
    const members = record.slots.map((s) => {
      const member = memberName(name, s);
      return {
        name: member,
        alive: memberPids(lc, member).supervisor !== undefined,
        fenced: fenced.includes(member),
      };
    });
    const decision = planKeeper(Date.now(), members, previous);
    for (const member of decision.restart) {
      const downFor = Date.now() - (previous[member]?.deadSince ?? Date.now());
      try {
        if (isBusy(lc)) break;
        await stopOrphanPostmaster(lc, member);
        startMember(lc, member, bins);
        const n = decision.state[member]?.restarts.length ?? 1;
        log(`restarted ${member} (down ${downFor} ms; restart ${n} in the last 10 min)`);
      } catch (e) {
        log(`could not restart ${member}: ${(e as Error).message}`);
      }
    }
    for (const member of decision.gaveUp)
      log(
        `gave up on ${member}: it crashed ${decision.state[member]?.restarts.length} times in 10 min; \`pgcluster up\` starts it again`,
      );
    writeFileAtomic(lc.paths.keeper.state, `${JSON.stringify(decision.state)}\n`, 0o644);
  }
  log('stopped');
}

main().catch((e: Error) => {
  log(`failed: ${e.stack ?? e.message}`);
  process.exit(1);
});
