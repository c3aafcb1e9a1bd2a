/**
 * The read side of the local platform: a cluster's record, which of its processes run, its
 * endpoints and credentials. What `status`, `uri`, `psql` and `list` need, and no more: it loads
 * no renderer, no spec schema and no pgBackRest configuration (pgBackRest runs are imported when
 * asked for), so those commands start fast. LocalPlatform (index.ts) adds the write side.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appOf } from '../../spec/app';
import type { ClusterSpec } from '../../spec/cluster';
import type { BackupInfo } from '../../backup/info';
import { InputError } from '../../errors';
import { memberName, SUPERUSER } from '../../naming';
import type { CertificateStatus, ClusterAccess, ClusterRuntime, Credentials } from '../types';
import { trustCertificateAuthority } from '../../patroni/api';
import { basePortOf, localCluster, memberSocketFor, type LocalCluster } from './cluster-context';
import { etcdPid, memberPids, memberRuntime, poolerPid } from './pids';
import { clusterPaths } from './paths';
import { exporterServices } from './exporter-files';
import { keeperPid } from './keeper';
import { resolveRunUser, type RunUser } from './run-user';
import {
  readRecord,
  readText,
  readSecrets,
  savePoolerUsers,
  writeFileAtomic,
  writeRecord,
  type ClusterRecord,
} from './state';

/** The bytes of the regular files under `dir` (a data directory being restored grows); undefined when it is not there. */
function bytesUnder(dir: string): number | undefined {
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      try {
        if (e.isDirectory()) walk(path);
        else if (e.isFile()) total += statSync(path).size;
      } catch {
        // removed meanwhile (a temp file of the restore)
      }
    }
  };
  try {
    walk(dir);
  } catch {
    return undefined;
  }
  return total;
}

/** Each certificate of the cluster with its expiry (the X.509 library is loaded only for a cluster under tls). */
async function certificatesOf(lc: LocalCluster): Promise<CertificateStatus[]> {
  const { certificateFacts } = await import('../../secrets/x509');
  const t = lc.paths.tls;
  const now = Date.now();
  return (
    [
      ['ca', t.caCert],
      ['server', t.serverCert],
      ['replicator', t.replicationCert],
      ['rewinder', t.rewindCert],
    ] as const
  ).flatMap(([name, path]) => {
    const pem = readText(path);
    if (!pem) return [];
    const facts = certificateFacts(pem);
    return [
      {
        name,
        subject: facts.subject,
        notAfter: facts.notAfter.toISOString(),
        daysLeft: Math.floor((facts.notAfter.getTime() - now) / 86_400_000),
      },
    ];
  });
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `      ${l}`)
      .join('\n');
  } catch {
    return '      (no log)';
  }
}

export class LocalInspector {
  private userCache?: RunUser;

  readonly stateDir: string;

  /** A relative state dir is made absolute: the daemons' files name each other by these paths. */
  constructor(stateDir: string) {
    this.stateDir = resolve(stateDir);
  }

  protected get user(): RunUser {
    this.userCache ??= resolveRunUser();
    return this.userCache;
  }

  protected cluster(spec: ClusterSpec): LocalCluster {
    const paths = clusterPaths(this.stateDir, spec.name);
    // What the members run now (the marker provision keeps), not what a new spec asks for.
    const lc = localCluster(
      this.stateDir,
      spec.name,
      basePortOf(spec),
      this.user,
      existsSync(paths.tls.active),
      spec.platform.local,
    );
    const ca = lc.tls ? readText(lc.paths.tls.caCert) : undefined;
    if (ca) trustCertificateAuthority(ca);
    return lc;
  }

  /** The CA a client verifies the servers with, under tls (PEM), once it exists. */
  protected caOf(lc: LocalCluster): string | undefined {
    return lc.tls ? readText(lc.paths.tls.caCert) : undefined;
  }

  /** A cluster known only by name: its base port comes from its record. */
  protected known(name: string): { lc: LocalCluster; record: ClusterRecord } | undefined {
    const record = readRecord(join(this.stateDir, name, 'cluster.json'));
    if (!record) return undefined;
    return { lc: this.cluster(record.spec), record };
  }

  protected mustKnow(name: string): { lc: LocalCluster; record: ClusterRecord } {
    const found = this.known(name);
    if (!found)
      throw new InputError(
        `no cluster named "${name}" in state dir ${this.stateDir} (see \`pgcluster list\`)`,
      );
    return found;
  }

  async access(name: string): Promise<ClusterAccess> {
    const { lc, record } = this.mustKnow(name);
    const secrets = readSecrets(lc.paths.secretsFile);
    if (!secrets) throw new InputError(`cluster "${name}" has no secrets file ${lc.paths.secretsFile}`);
    const owner = appOf(record.spec.bootstrap).owner;
    const database = appOf(record.spec.bootstrap).database;
    const withTls = (creds: Credentials): Credentials => {
      const ca = this.caOf(lc);
      return ca ? { ...creds, ssl: { ca } } : creds;
    };
    return {
      apiUrls: () => {
        const current = readRecord(lc.paths.stateFile) ?? record;
        return Object.fromEntries(
          current.slots.map((s) => [memberName(name, s), memberRuntime(lc, s).apiUrl]),
        );
      },
      allowedNetworks: lc.networks,
      // pgcluster's own superuser connections go over the members' sockets (peer); a password
      // (absent on a replica cluster) only for what leaves this process: URIs, the Pulumi output.
      superuser: () => ({
        ...withTls({ user: SUPERUSER, password: secrets.superuserPassword ?? '', database: 'postgres' }),
        socketFor: memberSocketFor(lc),
      }),
      app: () => withTls({ user: owner, password: secrets.appPassword, database }),
      appVerifier: () => secrets.appVerifier,
      managedSql: () => readRecord(lc.paths.stateFile)?.sql,
      saveManagedSql: (sql) => {
        const current = readRecord(lc.paths.stateFile);
        if (current) writeRecord(lc.paths.stateFile, { ...current, sql });
      },
      savePoolerUsers: (users) => savePoolerUsers(lc.paths.secretsFile, users),
      pooler: async () => {
        const { localPoolerControl } = await import('./pooler-control');
        return localPoolerControl(lc, (readRecord(lc.paths.stateFile) ?? record).spec, secrets);
      },
      pgbackrest: async (args, timeoutMs) => {
        const current = readRecord(lc.paths.stateFile) ?? record;
        const names = current.slots.map((s) => memberName(name, s));
        // pg1 must be a member that runs; a member's file lists all the others after it.
        const member = names.find((m) => memberPids(lc, m).postmaster) ?? names[0];
        if (!member || !existsSync(lc.paths.member(member).pgbackrestConf))
          throw new InputError(`cluster "${name}" has no archive (backup is not set)`);
        const { runPgbackrest } = await import('./pgbackrest');
        return runPgbackrest(lc, lc.paths.member(member).pgbackrestConf, args, timeoutMs);
      },
      archiveVerified: () => readRecord(lc.paths.stateFile)?.archiveVerified,
      saveArchiveVerified: (identity) => {
        const current = readRecord(lc.paths.stateFile);
        if (current) writeRecord(lc.paths.stateFile, { ...current, archiveVerified: identity });
      },
      lastBackup: () => {
        try {
          return JSON.parse(readFileSync(lc.paths.backup.lastBackup, 'utf8')) as BackupInfo;
        } catch {
          return undefined;
        }
      },
      saveLastBackup: (backup) => {
        if (!existsSync(lc.paths.backup.dir)) return;
        writeFileAtomic(lc.paths.backup.lastBackup, `${JSON.stringify(backup, null, 2)}\n`, 0o644);
      },
      demotion: () => readRecord(lc.paths.stateFile)?.demotion,
      saveDemotion: (demotion) => {
        const current = readRecord(lc.paths.stateFile);
        if (current) writeRecord(lc.paths.stateFile, { ...current, demotion });
      },
      dataBytes: (member) => bytesUnder(lc.paths.member(member).data),
      logTails: (lines) => {
        const current = readRecord(lc.paths.stateFile) ?? record;
        return current.slots
          .map((s) => memberName(name, s))
          .map(
            (m) =>
              `last lines of ${lc.paths.member(m).patroniLog}:\n${tail(lc.paths.member(m).patroniLog, lines)}`,
          )
          .join('\n');
      },
      processProblems: () => {
        const current = readRecord(lc.paths.stateFile) ?? record;
        return current.slots
          .map((s) => memberName(name, s))
          .filter((m) => !(current.fenced ?? []).includes(m) && !memberPids(lc, m).supervisor)
          .map(
            (m) =>
              `${m}: its processes are not running; last lines of ${lc.paths.member(m).patroniLog}:\n${tail(lc.paths.member(m).patroniLog, 8)}`,
          );
      },
    };
  }

  async runtime(name: string): Promise<ClusterRuntime> {
    const found = this.known(name);
    if (!found) return { name, exists: false, members: [], endpoints: { rw: [], ro: [] }, services: {} };
    const { lc, record } = found;
    const members = record.slots.map((s) => memberRuntime(lc, s));
    const pg = members.map((m) => m.postgres);
    return {
      name,
      exists: true,
      spec: record.spec,
      ...(record.specFile ? { specFile: record.specFile } : {}),
      members,
      endpoints: {
        rw: pg,
        ro: pg,
        ...(record.spec.pooler.enabled ? { pooler: { host: lc.host, port: lc.ports.pooler } } : {}),
        ...(lc.tls && existsSync(lc.paths.tls.caCert) ? { caFile: lc.paths.tls.caCert } : {}),
      },
      ...(lc.tls ? { certificates: await certificatesOf(lc) } : {}),
      services: {
        etcd: { running: etcdPid(lc) !== undefined, pid: etcdPid(lc) },
        pooler: { running: poolerPid(lc) !== undefined, pid: poolerPid(lc) },
        ...exporterServices(lc, record.spec, record.slots),
        keeper: { running: keeperPid(lc) !== undefined, pid: keeperPid(lc) },
      },
    };
  }

  /** Records the spec file the CLI applied last, so a hint can name the command that brings a member back. */
  async rememberSpecFile(name: string, specFile: string): Promise<void> {
    const file = join(this.stateDir, name, 'cluster.json');
    const record = readRecord(file);
    if (record && record.specFile !== specFile) writeRecord(file, { ...record, specFile });
  }

  protected listSync(): string[] {
    if (!existsSync(this.stateDir)) return [];
    return readdirSync(this.stateDir)
      .filter((n) => existsSync(join(this.stateDir, n, 'cluster.json')))
      .sort();
  }

  async list(): Promise<string[]> {
    return this.listSync();
  }
}
