/** The local platform's records: cluster.json (what was applied) and secrets.json (0600). */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ClusterSpec } from '../../spec/cluster';
import type { ClusterSecrets } from '../../render/context';
import { generatePassword, scramVerifier } from '../../secrets/scram';
import type { ManagedSql } from '../../sql/managed';
import type { DemotionRecord } from '../types';
import type { PoolerUser } from '../../sql/pooler-users';

export interface ClusterRecord {
  name: string;
  /** The spec of the last successful `up`. */
  spec: ClusterSpec;
  /** Member slots in use: member n is `<name>-n`. */
  slots: number[];
  /** Members stopped on purpose (spec.fenced, as the last provision applied it): not a problem, not restarted. */
  fenced?: string[];
  createdAt: string;
  /**
   * The roles, databases and grants pgcluster manages, with the fingerprints of the passwords it
   * set (never the passwords; never inside `spec`). Absent: nothing managed yet.
   */
  sql?: ManagedSql;
  /** The archive repository `up` last verified (stanza-create and check passed), by its identity. */
  archiveVerified?: string;
  /** The spec file `pgcluster up -f` applied last (absolute), for the hints of `status`. */
  specFile?: string;
  /** spec.replica: this cluster's last demotion (also kept in its DCS, the dynamic configuration's `pgcluster.demotion`). */
  demotion?: DemotionRecord;
}

export interface StoredSecrets extends ClusterSecrets {
  /** SCRAM verifiers (stable salts, so re-rendering the pooler auth file changes nothing). */
  appVerifier: string;
  poolerAdminVerifier: string;
  /** Managed login roles the pooler admits, with the server's verifiers (see sql/pooler-users). */
  poolerUsers?: PoolerUser[];
}

/** A file's text, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function writeFileAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

export function readRecord(file: string): ClusterRecord | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterRecord;
}

export function writeRecord(file: string, record: ClusterRecord): void {
  writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

export function readSecrets(file: string): StoredSecrets | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
}

/** Replaces the pooler's managed users in the secrets file (0600), when they changed. */
export function savePoolerUsers(file: string, users: PoolerUser[]): void {
  const secrets = readSecrets(file);
  if (!secrets || JSON.stringify(secrets.poolerUsers ?? []) === JSON.stringify(users)) return;
  writeFileAtomic(file, `${JSON.stringify({ ...secrets, poolerUsers: users }, null, 2)}\n`, 0o600);
}

/**
 * Loads the cluster's passwords, generating and storing (0600) any that do not exist yet. `inherit`:
 * the ones a new replica cluster takes over instead (it logs in with its source's roles); such a
 * cluster gets no superuser password: its catalog's is the source's, which it never holds (the
 * local superuser logs in over the socket by peer authentication).
 */
export function ensureSecrets(file: string, inherit?: Partial<StoredSecrets>): StoredSecrets {
  const existing = readSecrets(file);
  if (existing) return existing;
  const appPassword = generatePassword();
  const poolerAdminPassword = generatePassword();
  const secrets: StoredSecrets = {
    ...(inherit ? {} : { superuserPassword: generatePassword() }),
    replicationPassword: generatePassword(),
    rewindPassword: generatePassword(),
    appPassword,
    poolerAdminPassword,
    appVerifier: scramVerifier(appPassword),
    poolerAdminVerifier: scramVerifier(poolerAdminPassword),
    ...inherit,
  };
  writeFileAtomic(file, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  return secrets;
}
