/**
 * Reads the secret references of a spec (fromEnv, fromFile) when it is applied: role passwords,
 * S3 credentials, repository passphrases, the password of a server to clone. The values live only
 * in this process's memory (and, for the archive, in the cluster's 0600 pgBackRest configuration):
 * never in cluster.json, never in a process argument.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ClusterSpec } from '../spec/cluster';
import type { SecretRef } from '../spec/secret-ref';
import type { S3Keys, S3Spec } from '../spec/backup';

export type { S3Keys };
import { InputError } from '../errors';

/** Collects every problem, so that one error lists them all. */
export class SecretReader {
  readonly problems: string[] = [];
  constructor(
    private readonly baseDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The value, or undefined (with a problem recorded) when it cannot be read or is empty. */
  read(path: string, ref: SecretRef | undefined, what: string): string | undefined {
    if (!ref) return undefined;
    let value: string | undefined;
    if (ref.fromEnv !== undefined) {
      value = this.env[ref.fromEnv];
      if (value === undefined)
        this.problems.push(`${path}.fromEnv: environment variable ${ref.fromEnv} is not set`);
    } else if (ref.fromFile !== undefined) {
      const file = isAbsolute(ref.fromFile) ? ref.fromFile : resolve(this.baseDir, ref.fromFile);
      try {
        value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        this.problems.push(
          `${path}.fromFile: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
    if (value === '') {
      this.problems.push(`${path}: ${what} is empty`);
      return undefined;
    }
    return value;
  }

  /** Throws one InputError listing every problem, if there were any. */
  done(heading: string): void {
    if (this.problems.length > 0)
      throw new InputError(`${heading}:\n${this.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Passwords by role name. `baseDir` is the spec file's directory (relative fromFile paths start
 * there). Every problem is reported at once; an empty password is refused.
 */
export function resolvePasswords(
  spec: ClusterSpec,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const reader = new SecretReader(baseDir, env);
  const out = new Map<string, string>();
  spec.roles.forEach((role, i) => {
    if (role.ensure === 'absent') return;
    const value = reader.read(
      `roles[${i}].password`,
      role.password,
      `the password of ${JSON.stringify(role.name)}`,
    );
    if (value !== undefined) out.set(role.name, value);
  });
  reader.done('cannot read role passwords');
  return out;
}

/** The secrets an archive (and a restore or clone) needs, read from the spec's references. */
export interface BackupSecrets {
  /** backup.s3.credentials */
  s3?: S3Keys;
  /** backup.encryption.passphrase */
  passphrase?: string;
  /** bootstrap.recovery.source.s3.credentials */
  sourceS3?: S3Keys;
  /** bootstrap.recovery.source.encryption.passphrase */
  sourcePassphrase?: string;
  /** bootstrap.pgBasebackup.source.password */
  sourcePassword?: string;
  /** replica.source.password (an external source's replication role) */
  replicaPassword?: string;
}

function keys(reader: SecretReader, path: string, s3: S3Spec | undefined): S3Keys | undefined {
  const c = s3?.credentials;
  if (!c) return undefined;
  const accessKeyId = reader.read(`${path}.credentials.accessKeyId`, c.accessKeyId, 'the access key id');
  const secretAccessKey = reader.read(
    `${path}.credentials.secretAccessKey`,
    c.secretAccessKey,
    'the secret key',
  );
  return accessKeyId !== undefined && secretAccessKey !== undefined
    ? { accessKeyId, secretAccessKey }
    : undefined;
}

export function resolveBackupSecrets(
  spec: ClusterSpec,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): BackupSecrets {
  const reader = new SecretReader(baseDir, env);
  const source = spec.bootstrap.recovery?.source;
  const out: BackupSecrets = {
    s3: keys(reader, 'backup.s3', spec.backup?.s3),
    passphrase: reader.read(
      'backup.encryption.passphrase',
      spec.backup?.encryption?.passphrase,
      'the passphrase',
    ),
    sourceS3: keys(reader, 'bootstrap.recovery.source.s3', source?.s3),
    sourcePassphrase: reader.read(
      'bootstrap.recovery.source.encryption.passphrase',
      source?.encryption?.passphrase,
      'the passphrase',
    ),
    sourcePassword: reader.read(
      'bootstrap.pgBasebackup.source.password',
      spec.bootstrap.pgBasebackup?.source.password,
      'the password',
    ),
    replicaPassword: reader.read(
      'replica.source.password',
      spec.replica?.source.host !== undefined ? spec.replica.source.password : undefined,
      'the replication password',
    ),
  };
  reader.done('cannot read the backup secrets');
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as BackupSecrets;
}
