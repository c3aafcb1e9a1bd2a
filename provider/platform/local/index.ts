/**
 * The local platform: etcd, Patroni members and PgBouncer as processes on 127.0.0.1, under
 * `<stateDir>/<cluster>/`, run as an unprivileged user. Same renderers, same actions as kubernetes.
 * The read side (records, PIDs, access) is LocalInspector (inspect.ts); this adds the write side.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import type { Reporter } from '../../report/reporter';
import { InputError } from '../../errors';
import { memberName, memberSlot } from '../../naming';
import { planMembers } from '../../plan/members';
import { diffSpecs } from '../../plan/spec-diff';
import type { Platform, SourcePosition, TargetPromotion } from '../types';
import { findLocalBinaries, type LocalBinaries } from './binaries';
import { memberContext, type LocalCluster } from './cluster-context';
import { ensureEtcd, stopEtcd } from './etcd';
import { reloadMember, startMember, stopMember, stopOrphanPostmaster, writeMemberConfig } from './member';
import { etcdPid, memberPids, memberRuntime, poolerPid } from './pids';
import { ensurePooler, stopPooler } from './pooler';
import { killLeftovers } from './leftovers';
import { clearBusy, markBusy, stopKeeper, syncKeeper } from './keeper';
import { checkPorts } from './preflight';
import { LOCAL_HOST, memberPorts } from './ports';
import { checkReachable, ensureDir, giveTo } from './run-user';
import {
  ensureSecrets,
  readRecord,
  readSecrets,
  writeFileAtomic,
  writeRecord,
  type ClusterRecord,
} from './state';
import { getCluster, getDynamicConfig, leaderOf, patchDynamicConfig } from '../../patroni/api';
import { renderPgHba } from '../../render/pghba';
import { checkExternalSources } from './archive-checks';
import { removeCloneFiles, writeCloneFiles } from './clone';
import { scriptsSource } from './scripts-dir';
import { localArchiveProblems, writeBackupFiles, type BackupInputs } from './pgbackrest';
import { stopScheduler, syncScheduler } from './scheduler';
import { isLeaderRole } from '../../patroni/roles';
import { LocalInspector } from './inspect';
import { checkTlsFiles, ensureTls, issueClientCertificate } from './tls';
import { checkExporterBinaries, stopExporters, syncExporters, syncPoolerExporter } from './exporters';
import { trustCertificateAuthority } from '../../patroni/api';
import type { StandbyContext } from '../../render/context';
import { replicationUser } from '../../render/replication-user';
import { isReplicaCluster } from '../../spec/replica';
import { checkExternalSource, syncExternalSecrets, writeExternalRoots } from './replica-external';
import { dropReplicationRole, ensureReplicationRole, type RoleChange } from './replica-role';
import {
  checkReplicaSource,
  dropInheritedSuperuser,
  inheritedSecrets,
  latestSourcePosition,
  standbyContext,
  writeReplicaRestoreConf,
} from './replica';
import { backToStandby, restartInTargetRecovery } from './target-promotion';

/** A standby_cluster without recovery_min_apply_delay (patroni.yml's bootstrap.dcs). */
function withoutDelay(standby: StandbyContext | undefined): StandbyContext | undefined {
  if (!standby) return undefined;
  const { applyDelay: _later, ...rest } = standby;
  return rest;
}

const NO_INPUTS: BackupInputs = { secrets: {}, baseDir: process.cwd() };

const SCRIPTS = [
  'member-supervisor.py',
  'source_watch.py',
  'pooler-follow.py',
  'clone-basebackup.py',
  'pgbouncer-exporter.py',
  'fence-old-primary.py',
];

function describeSchedule(spec: ClusterSpec): string {
  return Object.entries(spec.backup?.schedule ?? {})
    .filter(([, cron]) => cron)
    .map(([type, cron]) => `${type} "${cron}"`)
    .join(', ');
}

/** The supervisors watch the leader while the flag file exists (world-readable, empty). */
function setPeerWatch(lc: LocalCluster, on: boolean): void {
  if (on) {
    writeFileAtomic(lc.paths.peerWatchFlag, '', 0o644);
    giveTo(lc.user, lc.paths.peerWatchFlag);
  } else rmSync(lc.paths.peerWatchFlag, { force: true });
}

/**
 * New certificates are read on a reload: PostgreSQL (SIGHUP to the postmaster), Patroni's REST API
 * (SIGHUP to Patroni) and PgBouncer (SIGHUP). Nothing restarts. Returns the members reloaded.
 */
function reloadCertificates(lc: LocalCluster, members: readonly string[]): string[] {
  const reloaded: string[] = [];
  for (const name of members) {
    const pids = memberPids(lc, name);
    if (!pids.postmaster) continue;
    process.kill(pids.postmaster, 'SIGHUP');
    if (pids.patroni) process.kill(pids.patroni, 'SIGHUP');
    reloaded.push(name);
  }
  const pooler = poolerPid(lc);
  if (pooler) process.kill(pooler, 'SIGHUP');
  return reloaded;
}

/** The socket path PostgreSQL creates must fit in sockaddr_un (107 bytes). */
const MAX_SOCKET_PATH = 107;

export class LocalPlatform extends LocalInspector implements Platform {
  readonly kind = 'local' as const;

  async preflight(spec: ClusterSpec, inputs: BackupInputs = NO_INPUTS): Promise<void> {
    const bins = findLocalBinaries(spec.postgresVersion);
    if ((spec.backup || spec.bootstrap.recovery) && !bins.pgbackrest)
      throw new InputError(
        `${spec.backup ? 'backup' : 'bootstrap.recovery'}: pgBackRest is not installed (apt-get install -y pgbackrest)`,
      );
    checkReachable(this.user, dirname(bins.patroni), {
      field: `patroni ${bins.patroni}`,
      fix: 'install it where that user can read it (scripts/setup.sh run as root uses /var/cache/pgcluster)',
    });
    checkReachable(this.user, this.stateDir);
    const lc = this.cluster(spec);
    const record = readRecord(lc.paths.stateFile);
    if (record) {
      const before = record.spec.tls;
      if (
        before?.enabled &&
        !spec.tls?.enabled &&
        (before.required || before.clientAuth.replication === 'cert')
      )
        throw new InputError(
          `tls: cannot be turned off for the existing cluster "${spec.name}" in one up while its pg_hba needs TLS ` +
            '(tls.required, or certificate replication): the replicas would stop replicating before the new rules reach them. ' +
            'First up with tls.required false and tls.clientAuth.replication password, then set tls.enabled false',
        );
      const [fixed] = diffSpecs(record.spec, spec).fixed;
      if (fixed)
        throw new InputError(
          `${fixed.path}: cannot change for the existing cluster "${spec.name}" (${JSON.stringify(fixed.from)} -> ${JSON.stringify(fixed.to)}); ` +
            'destroy and recreate it to change this',
        );
    }
    const socketPath = join(
      lc.paths.member(memberName(spec.name, 20)).socketDir,
      `.s.PGSQL.${memberPorts(lc.basePort, 20).postgres}`,
    );
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH)
      throw new InputError(
        `--state-dir ${this.stateDir} is too deep: PostgreSQL's socket path ${socketPath} would exceed ${MAX_SOCKET_PATH} bytes; choose a shorter state dir`,
      );
    checkExporterBinaries(spec);
    checkReplicaSource(lc, spec);
    await checkExternalSource(spec, inputs);
    checkTlsFiles(spec, inputs.baseDir);
    const archive = localArchiveProblems(spec, inputs.secrets);
    if (archive.length > 0) throw new InputError(archive.join('\n'));
    await checkPorts(this.stateDir, spec, lc, this.others(spec.name));
    const creating = readRecord(lc.paths.stateFile) === undefined;
    if (spec.backup || (creating && (spec.bootstrap.recovery || spec.bootstrap.pgBasebackup)))
      await checkExternalSources(lc, spec, inputs, creating);
  }

  private others(name: string): ClusterRecord[] {
    return this.listSync()
      .filter((n) => n !== name)
      .map((n) => readRecord(join(this.stateDir, n, 'cluster.json')))
      .filter((r): r is ClusterRecord => r !== undefined);
  }

  private prepare(spec: ClusterSpec): { lc: LocalCluster; bins: LocalBinaries } {
    const lc = this.cluster(spec);
    const bins = findLocalBinaries(spec.postgresVersion);
    mkdirSync(this.stateDir, { recursive: true, mode: 0o755 });
    ensureDir(this.user, lc.paths.root);
    chmodSync(lc.paths.root, 0o700);
    ensureDir(this.user, lc.paths.membersDir);
    ensureDir(this.user, lc.paths.pooler.dir);
    ensureDir(this.user, join(lc.paths.root, 'bin'));
    for (const script of SCRIPTS) {
      const from = join(scriptsSource(), script);
      const to = join(lc.paths.root, 'bin', script);
      if (!existsSync(to) || readFileSync(to, 'utf8') !== readFileSync(from, 'utf8')) copyFileSync(from, to);
      chmodSync(to, 0o700);
      giveTo(this.user, to);
    }
    ensureSecrets(lc.paths.secretsFile, inheritedSecrets(lc, spec));
    dropInheritedSuperuser(lc, spec);
    giveTo(this.user, lc.paths.secretsFile);
    return { lc, bins };
  }

  async provision(
    spec: ClusterSpec,
    reporter: Reporter,
    inputs: BackupInputs = NO_INPUTS,
  ): Promise<{ toRemove: string[]; created: boolean }> {
    const { lc, bins } = this.prepare(spec);
    syncExternalSecrets(lc, spec, inputs);
    const secrets = ensureSecrets(lc.paths.secretsFile);
    const created = readRecord(lc.paths.stateFile) === undefined;
    // Until commit: the keeper leaves the members to this `up`.
    markBusy(lc);
    // Certificates first: a new etcd of a cluster under tls serves HTTPS with them.
    const tls = await ensureTls(lc, spec, inputs.baseDir);
    if (tls) {
      trustCertificateAuthority(readFileSync(tls.files.caFile, 'utf8'));
      writeFileAtomic(lc.paths.tls.active, '', 0o644);
    } else rmSync(lc.paths.tls.active, { force: true });
    lc.tls = tls !== undefined;
    if (await ensureEtcd(lc, bins.etcd))
      reporter.step(`started etcd on ${LOCAL_HOST}:${lc.ports.etcdClient}`);
    const record: ClusterRecord = readRecord(lc.paths.stateFile) ?? {
      name: spec.name,
      spec,
      slots: [],
      createdAt: new Date().toISOString(),
    };
    const primary = await this.currentPrimary(lc, record.slots);
    const plan = planMembers(
      record.slots,
      spec.instances,
      primary ? memberSlot(spec.name, primary) : undefined,
    );
    const slots = [...plan.keep, ...plan.add].sort((a, b) => a - b);
    // Record new slots before starting them, so a failure half-way leaves nothing untracked.
    writeRecord(lc.paths.stateFile, {
      ...record,
      slots: [...slots, ...plan.remove].sort((a, b) => a - b),
      fenced: spec.fenced,
    });
    setPeerWatch(lc, spec.platform.local?.peerWatch ?? true);
    writeBackupFiles(lc, spec, slots, secrets, inputs);
    writeReplicaRestoreConf(lc, spec);
    writeExternalRoots(lc, spec, inputs.baseDir);
    // replica.applyDelay is not in bootstrap.dcs: a member restored from the source's backup must reach
    // consistency first (PostgreSQL 15 holds the first commit after the backup for the whole delay and
    // never opens for reads). up switches the delay on in the dynamic configuration once all members run.
    const standby = withoutDelay(await standbyContext(lc, spec));
    // The standby leader's first pg_basebackup from the source already logs in as its own role.
    await this.prepareReplicationLogin(spec, reporter, created);
    const started: string[] = [];
    for (const slot of slots) {
      const name = memberName(spec.name, slot);
      if (spec.fenced.includes(name)) {
        writeMemberConfig(lc, spec, slot, bins, secrets, standby);
        if (memberPids(lc, name).supervisor || memberPids(lc, name).postmaster) {
          const t0 = Date.now();
          await stopMember(lc, name);
          reporter.step(
            `fenced ${name}: PostgreSQL and Patroni stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s, data kept`,
          );
        }
        continue;
      }
      // The source's password is on disk only until the cluster exists (clone-basebackup.py removes it).
      if (spec.bootstrap.pgBasebackup && created)
        writeCloneFiles(lc, spec, name, bins, inputs.secrets.sourcePassword);
      const changed = writeMemberConfig(lc, spec, slot, bins, secrets, standby);
      if (memberPids(lc, name).supervisor) {
        if (changed) {
          reloadMember(lc, name);
          reporter.step(`reloaded ${name} (patroni.yml changed)`);
        }
        continue;
      }
      if (await stopOrphanPostmaster(lc, name))
        reporter.step(`stopped an unmanaged postmaster left by ${name}`);
      startMember(lc, name, bins);
      started.push(name);
    }
    if (started.length > 0) reporter.step(`started ${started.join(', ')}`);
    if (
      !spec.monitoring?.exporters &&
      (await stopExporters(
        lc,
        slots.map((s) => memberName(spec.name, s)),
      )) > 0
    )
      reporter.step('stopped the exporters (monitoring.exporters is off)');
    const exporters = await syncExporters(lc, spec, slots);
    if (exporters.length > 0) reporter.step(`started ${exporters.join(', ')}`);
    if (tls && tls.changes.length > 0) {
      const running = slots.map((s) => memberName(spec.name, s)).filter((m) => !started.includes(m));
      const reloaded = reloadCertificates(lc, running);
      reporter.step(
        `issued ${tls.changes.join(', ')}` +
          (reloaded.length ? `; reloaded ${reloaded.join(', ')} (no restart)` : ''),
      );
    }
    return { toRemove: plan.remove.map((s) => memberName(spec.name, s)), created };
  }

  private async currentPrimary(lc: LocalCluster, slots: number[]): Promise<string | undefined> {
    if (slots.length === 0) return undefined;
    const cluster = await getCluster(slots.map((s) => memberRuntime(lc, s).apiUrl));
    return cluster?.members.find((m) => isLeaderRole(m.role))?.name;
  }

  async removeMembers(spec: ClusterSpec, members: string[], reporter: Reporter): Promise<void> {
    const lc = this.cluster(spec);
    for (const name of members) {
      await stopMember(lc, name);
      await stopExporters(lc, [name], false);
      let kept = '';
      if (spec.removedMemberData === 'keep' && existsSync(lc.paths.member(name).dir)) {
        const aside = join(
          lc.paths.root,
          'removed',
          `${name}-${new Date().toISOString().replace(/[:.]/g, '')}`,
        );
        mkdirSync(dirname(aside), { recursive: true, mode: 0o700 });
        renameSync(lc.paths.member(name).dir, aside);
        kept = `; its data is kept in ${aside} (removedMemberData: keep)`;
      } else rmSync(lc.paths.member(name).dir, { recursive: true, force: true });
      const record = readRecord(lc.paths.stateFile);
      const slot = memberSlot(spec.name, name);
      if (record)
        writeRecord(lc.paths.stateFile, { ...record, slots: record.slots.filter((s) => s !== slot) });
      reporter.step(`removed ${name}${kept}`);
    }
  }

  async syncPooler(spec: ClusterSpec, primary: string | undefined, reporter: Reporter): Promise<void> {
    const lc = this.cluster(spec);
    if (!spec.pooler.enabled) {
      if (poolerPid(lc)) {
        await stopPooler(lc);
        reporter.step('stopped the pooler (pooler.enabled is false)');
      }
      return;
    }
    const { bins } = this.prepare(spec);
    const slot = (primary && memberSlot(spec.name, primary)) || 1;
    const target = memberContext(lc, slot);
    const secrets = ensureSecrets(lc.paths.secretsFile);
    const result = await ensurePooler(
      lc,
      spec,
      { host: target.host, port: target.postgresPort },
      bins,
      secrets,
    );
    if (result !== 'unchanged')
      reporter.step(`${result} the pooler on ${lc.host}:${lc.ports.pooler} -> ${target.name}`);
    const exporter = syncPoolerExporter(lc, spec, secrets, bins.python);
    if (exporter) reporter.step(`started ${exporter}`);
  }

  /** The standby_cluster the spec asks for now (undefined: this cluster is a primary cluster). */
  async standbyCluster(spec: ClusterSpec): Promise<StandbyContext | undefined> {
    return standbyContext(this.cluster(spec), spec);
  }

  /** The dedicated replication role on the group's writable primary: the source, or this cluster. */
  async ensureReplicationRole(spec: ClusterSpec, reporter: Reporter): Promise<void> {
    if (isReplicaCluster(spec)) await this.replicationRoleOnSource(spec, reporter, false);
    else if (spec.replica?.source.cluster !== undefined)
      await this.replicationRoleOn(spec, spec.name, reporter);
  }

  /**
   * Before the members' configuration names the cluster's replication role: the role exists on
   * the group's writable primary and the pg_hba of that cluster and of this one admit it (a cluster
   * of an earlier version streamed as `replicator`; its source may not know the role yet).
   */
  private async prepareReplicationLogin(spec: ClusterSpec, reporter: Reporter, created: boolean) {
    const source = spec.replica?.source.cluster;
    if (source === undefined || !spec.platform.local) return;
    if (isReplicaCluster(spec)) await this.replicationRoleOnSource(spec, reporter, created);
    else if (!created) await this.replicationRoleOn(spec, spec.name, reporter);
    for (const name of created ? [source] : [source, spec.name]) {
      const found = this.known(name);
      if (!found) continue;
      const access = await this.access(name);
      const leader = await leaderOf(Object.values(access.apiUrls()));
      const url = leader ? access.apiUrls()[leader.name] : undefined;
      if (!url) continue;
      const want = renderPgHba(name === spec.name ? spec : found.record.spec, access.allowedNetworks);
      const config = await getDynamicConfig(url).catch(() => undefined);
      const now = (config?.postgresql as { pg_hba?: string[] } | undefined)?.pg_hba;
      if (!config || JSON.stringify(now) === JSON.stringify(want)) continue;
      await patchDynamicConfig(url, { postgresql: { pg_hba: want } });
      reporter.step(`updated ${name}'s pg_hba to admit the replication role ${replicationUser(spec)}`);
    }
  }

  private async replicationRoleOnSource(spec: ClusterSpec, reporter: Reporter, required: boolean) {
    const source = spec.replica?.source.cluster;
    if (source === undefined) return;
    const change = await this.replicationRoleOn(spec, source, reporter);
    if (change === undefined && required)
      throw new InputError(
        `replica.source.cluster: "${source}" has no writable primary now, so the replication role ` +
          `${replicationUser(spec)} of ${spec.name} cannot be created there: bring "${source}" up as a primary cluster first`,
      );
  }

  private async replicationRoleOn(
    spec: ClusterSpec,
    on: string,
    reporter: Reporter,
  ): Promise<RoleChange | undefined> {
    const secrets = readSecrets(this.cluster(spec).paths.secretsFile);
    if (!secrets || !this.known(on)) return undefined;
    const role = replicationUser(spec);
    const archived = on !== spec.name && spec.replica?.via !== 'streaming';
    const change = await ensureReplicationRole(
      await this.access(on),
      role,
      secrets.replicationPassword,
      archived,
    );
    if (change === 'created' || change === 'updated')
      reporter.step(
        `${change} the replication role ${role} of ${spec.name} on ${on} (REPLICATION, from the SCRAM verifier of ${spec.name}'s own password)`,
      );
    return change;
  }

  /** The newest record of the members' source watch (source_watch.py). */
  sourcePosition(spec: ClusterSpec): SourcePosition | undefined {
    return latestSourcePosition(this.cluster(spec));
  }

  targetPromotion(spec: ClusterSpec): TargetPromotion {
    const lc = this.cluster(spec);
    return {
      restart: (member, target) => restartInTargetRecovery(lc, member, target),
      backToStandby: (member) => backToStandby(lc, member),
    };
  }

  async syncSchedules(spec: ClusterSpec, reporter: Reporter): Promise<void> {
    const lc = this.cluster(spec);
    const did = await syncScheduler(lc, spec);
    if (did !== 'unchanged')
      reporter.step(
        `${did} the backup scheduler${did === 'stopped' ? '' : ` (${describeSchedule(spec)}; log ${lc.paths.backup.schedulerLog})`}`,
      );
  }

  /**
   * A client certificate for `user`, signed by the cluster's CA (`pgcluster certificate`). It logs in
   * where pg_hba takes a certificate for that role (tls.clientAuth.users).
   */
  async clientCertificate(
    name: string,
    user: string,
    days: number,
  ): Promise<{ certificate: string; privateKey: string; ca: string; admitted: boolean; port: number }> {
    const { lc, record } = this.mustKnow(name);
    const tls = record.spec.tls;
    if (!tls?.enabled)
      throw new InputError(`cluster "${name}" has no tls: set tls in its spec and run up first`);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(user) || Buffer.byteLength(user) > 63)
      throw new InputError(
        `--user ${JSON.stringify(user)} is not allowed: a role name of letters, digits, "_", "." and "-", at most 63 bytes`,
      );
    const issued = await issueClientCertificate(lc, user, days);
    return {
      ...issued,
      admitted: tls.clientAuth.users.includes(user),
      port: memberContext(lc, record.slots[0] ?? 1).postgresPort,
    };
  }

  async commit(spec: ClusterSpec): Promise<void> {
    const lc = this.cluster(spec);
    const record = readRecord(lc.paths.stateFile);
    if (!record) return;
    for (const slot of record.slots) removeCloneFiles(lc, memberName(spec.name, slot));
    writeRecord(lc.paths.stateFile, { ...record, spec });
    clearBusy(lc);
    await syncKeeper(lc, spec);
  }

  async stop(name: string, reporter: Reporter): Promise<void> {
    const { lc, record } = this.mustKnow(name);
    // First, so that it restarts nothing that is being stopped.
    if (await stopKeeper(lc)) reporter.step('stopped the keeper');
    const primary = await this.currentPrimary(lc, record.slots);
    // Replicas first, the primary last: stopping the primary first would make a replica take over.
    const order = record.slots
      .map((s) => memberName(name, s))
      .sort((a, b) => (a === primary ? 1 : b === primary ? -1 : a.localeCompare(b)));
    for (const member of order) {
      if (!memberPids(lc, member).supervisor && !memberPids(lc, member).postmaster) continue;
      await stopMember(lc, member);
      reporter.step(`stopped ${member}`);
    }
    if (await stopScheduler(lc)) reporter.step('stopped the backup scheduler');
    if ((await stopExporters(lc, order)) > 0) reporter.step('stopped the exporters');
    if (poolerPid(lc)) {
      await stopPooler(lc);
      reporter.step('stopped the pooler');
    }
    if (etcdPid(lc)) {
      await stopEtcd(lc);
      reporter.step('stopped etcd');
    }
  }

  /**
   * `pgcluster destroy-member`: stops a replica and removes its data directory; its configuration
   * stays, so the keeper (or the next `up`) starts it again and Patroni recreates it (from a backup
   * when the spec has one, else a basebackup). The primary is refused: switch over first.
   */
  async destroyMember(name: string, member: string, reporter: Reporter): Promise<void> {
    const { lc, record } = this.mustKnow(name);
    const members = record.slots.map((s) => memberName(name, s));
    if (!members.includes(member))
      throw new InputError(`${member}: not a member of ${name}; members are ${members.join(', ')}`);
    const primary = await this.currentPrimary(lc, record.slots);
    if (member === primary)
      throw new InputError(
        `${member} is the primary of ${name}: switch over first (\`pgcluster switchover ${name}\`), then destroy it`,
      );
    markBusy(lc);
    try {
      await stopMember(lc, member);
      rmSync(lc.paths.member(member).data, { recursive: true, force: true });
      reporter.step(`stopped ${member} and removed its data directory`);
    } finally {
      clearBusy(lc);
    }
  }

  async hibernate(spec: ClusterSpec, reporter: Reporter): Promise<void> {
    const { lc } = this.mustKnow(spec.name);
    await this.stop(spec.name, reporter);
    await this.commit(spec);
    const left = await killLeftovers(lc.paths.root);
    if (left > 0) reporter.step(`killed ${left} leftover process(es) of ${spec.name}`);
  }

  /**
   * A destroyed replica cluster's dedicated role is dropped from its source (the group's primary);
   * when the source has no writable primary now, it is kept there and `destroy` says so.
   */
  private async dropReplicationRoleOf(spec: ClusterSpec, reporter: Reporter): Promise<void> {
    const source = spec.replica?.source.cluster;
    if (source === undefined || !spec.platform.local || !this.known(source)) return;
    const role = replicationUser(spec);
    const dropped = await dropReplicationRole(await this.access(source), role).catch(
      (e: Error) => `failed: ${e.message}`,
    );
    if (dropped === 'dropped') reporter.step(`dropped the replication role ${role} from ${source}`);
    else if (dropped !== 'absent')
      reporter.step(
        `kept the replication role ${role} on ${source} (${dropped ?? 'it has no writable primary now'}): drop it there with DROP ROLE ${role}`,
      );
  }

  async destroy(name: string, reporter: Reporter): Promise<boolean> {
    const found = this.known(name);
    const root = join(this.stateDir, name);
    if (!found && !existsSync(root)) return false;
    if (found) {
      const { lc, record } = found;
      await stopKeeper(lc);
      await stopScheduler(lc);
      await stopExporters(
        lc,
        record.slots.map((s) => memberName(name, s)),
      );
      await Promise.all(record.slots.map((s) => stopMember(lc, memberName(name, s), 10_000)));
      await stopPooler(lc);
      await stopEtcd(lc);
      await this.dropReplicationRoleOf(record.spec, reporter);
    }
    const killed = await killLeftovers(root);
    if (killed > 0) reporter.step(`killed ${killed} leftover process(es) of ${name}`);
    rmSync(root, { recursive: true, force: true });
    return true;
  }
}
