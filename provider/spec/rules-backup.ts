/**
 * Cross-field rules of `backup` and of the bootstrap methods that read other servers
 * (bootstrap.pgBasebackup, bootstrap.recovery): part of the one rule table (rules.ts). Pure.
 */
import { Cron } from 'croner';
import type { ClusterSpec } from './cluster';
import { BACKUP_TYPES, type S3Spec } from './backup';
import { showValue, type SpecIssue } from './errors';
import { identifierIssue } from './identifiers';
import { secretRefIssue } from './secret-ref';
import { refused, TIMESTAMP } from './rules-sql-helpers';

type Issues = Array<SpecIssue | undefined>;

/** S3 bucket names: 3-63 of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A key prefix: absolute, no `..`, characters that need no quoting in pgbackrest.conf. */
const PREFIX = /^(\/[A-Za-z0-9._-]+)+$|^\/$/;
export const ENDPOINT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;
const REGION = /^[a-z0-9-]{1,40}$/;
/** pgBackRest stanza names. */
export const STANZA = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const LSN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;
const XID = /^[1-9]\d{0,18}$/;

function oneLinePath(path: string, value: string | undefined): SpecIssue | undefined {
  return value !== undefined && (value === '' || /[\0\r\n]/.test(value))
    ? refused(path, value, 'must be a file path on one line')
    : undefined;
}

/** The repository fields, wherever an S3 repository is declared. */
export function s3Issues(path: string, s3: S3Spec, needBucket: boolean): Issues {
  return [
    s3.bucket === undefined
      ? needBucket
        ? { path: `${path}.bucket`, message: 'is required here: name the bucket that holds the backups' }
        : undefined
      : BUCKET.test(s3.bucket) && !s3.bucket.includes('..')
        ? undefined
        : refused(
            `${path}.bucket`,
            s3.bucket,
            'must be an S3 bucket name (3-63 lowercase letters, digits, "." and "-")',
          ),
    s3.path === undefined || (PREFIX.test(s3.path) && !s3.path.split('/').includes('..'))
      ? undefined
      : refused(
          `${path}.path`,
          s3.path,
          'must be an absolute key prefix such as /pgcluster/orders (letters, digits, ".", "_", "-")',
        ),
    s3.endpoint === undefined || ENDPOINT.test(s3.endpoint)
      ? undefined
      : refused(
          `${path}.endpoint`,
          s3.endpoint,
          'must be host or host:port, without a scheme (https is always used)',
        ),
    REGION.test(s3.region)
      ? undefined
      : refused(`${path}.region`, s3.region, 'must be a region name such as eu-west-1'),
    oneLinePath(`${path}.caFile`, s3.caFile),
    secretRefIssue(`${path}.credentials.accessKeyId`, s3.credentials?.accessKeyId),
    secretRefIssue(`${path}.credentials.secretAccessKey`, s3.credentials?.secretAccessKey),
  ];
}

function cronIssue(path: string, expression: string | undefined): SpecIssue | undefined {
  if (expression === undefined) return undefined;
  try {
    new Cron(expression, { paused: true });
    return undefined;
  } catch (e) {
    return refused(
      path,
      expression,
      `not a cron expression (${(e as Error).message.replace(/^CronPattern: /, '')})`,
    );
  }
}

/** What a Kubernetes CronJob takes: 5 fields of numbers, ranges, steps, lists and names, or a macro. */
const CRONJOB_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRONJOB_FIELD =
  /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

function cronJobIssue(path: string, expression: string | undefined): SpecIssue | undefined {
  if (expression === undefined) return undefined;
  const e = expression.trim();
  if (CRONJOB_MACROS.includes(e)) return undefined;
  const fields = e.split(/\s+/);
  if (fields.length !== 5)
    return refused(
      path,
      expression,
      `a Kubernetes CronJob takes 5 fields (minute hour day month weekday), not ${fields.length}`,
    );
  const bad = fields.find((f) => !CRONJOB_FIELD.test(f) || /[LW#]/.test(f.replace(/[A-Za-z]{3}/g, '')));
  return bad === undefined
    ? undefined
    : refused(
        path,
        expression,
        `${JSON.stringify(bad)} is not a CronJob field (numbers, *, ranges, steps, lists, JAN-DEC, SUN-SAT)`,
      );
}

function kubernetesBackupIssues(s: ClusterSpec): Issues {
  const b = s.backup;
  const k = s.platform.kubernetes;
  if (!b || !k) return [];
  return [
    k.endpoint
      ? refused(
          'platform.kubernetes.endpoint',
          k.endpoint,
          'cannot be used with backup: the archive is checked and backups are taken in the pods, through the Kubernetes API',
        )
      : undefined,
    ...BACKUP_TYPES.map((t) => cronJobIssue(`backup.schedule.${t}`, b.schedule[t])),
  ];
}

/**
 * bootstrap on Kubernetes: a restore reads the repository named in the spec (the pods cannot see
 * another cluster's state), with the restored cluster's own backup (its pgBackRest Secret carries the
 * source's configuration); a clone by pg_basebackup is not available there yet.
 */
function kubernetesBootstrapIssues(s: ClusterSpec): Issues {
  if (!s.platform.kubernetes) return [];
  const r = s.bootstrap.recovery;
  return [
    r?.source.cluster !== undefined
      ? refused(
          'bootstrap.recovery.source.cluster',
          r.source.cluster,
          "is for platform.local: on platform.kubernetes name the source's repository with source.s3 and source.stanza",
        )
      : undefined,
    r && !s.backup
      ? {
          path: 'bootstrap.recovery',
          message:
            'on platform.kubernetes needs backup as well: the restored cluster archives to its own path, and its pgBackRest Secret carries the restore configuration',
        }
      : undefined,
  ];
}

function backupIssues(s: ClusterSpec): Issues {
  const b = s.backup;
  if (!b) return [];
  return [
    ...s3Issues('backup.s3', b.s3, false),
    b.s3.irsa && !s.platform.kubernetes
      ? refused(
          'backup.s3.irsa',
          b.s3.irsa,
          "applies to platform.kubernetes only (the pods' service account)",
        )
      : undefined,
    b.s3.irsa && b.s3.credentials
      ? refused('backup.s3.irsa', b.s3.irsa, 'set either irsa or credentials, not both')
      : undefined,
    b.s3.irsa && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/.test(b.s3.irsa.oidcProviderArn)
      ? refused(
          'backup.s3.irsa.oidcProviderArn',
          b.s3.irsa.oidcProviderArn,
          'must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/...)',
        )
      : undefined,
    b.s3.kmsKeyId !== undefined && !/^[A-Za-z0-9:/_-]{1,2048}$/.test(b.s3.kmsKeyId)
      ? refused('backup.s3.kmsKeyId', b.s3.kmsKeyId, 'must be a KMS key id, alias or ARN')
      : undefined,
    ...BACKUP_TYPES.map((t) => cronIssue(`backup.schedule.${t}`, b.schedule[t])),
    (b.retention.full === undefined) === (b.retention.days === undefined)
      ? refused('backup.retention', b.retention, 'set exactly one of full (a count of full backups) or days')
      : undefined,
    secretRefIssue('backup.encryption.passphrase', b.encryption?.passphrase),
    ...kubernetesBackupIssues(s),
  ];
}

function basebackupIssues(s: ClusterSpec): Issues {
  const c = s.bootstrap.pgBasebackup;
  if (!c) return [];
  const src = c.source;
  return [
    ENDPOINT.test(src.host)
      ? undefined
      : refused('bootstrap.pgBasebackup.source.host', src.host, 'must be a host name or address'),
    identifierIssue('bootstrap.pgBasebackup.source.user', src.user),
    identifierIssue('bootstrap.pgBasebackup.source.database', src.database),
    secretRefIssue('bootstrap.pgBasebackup.source.password', src.password),
    identifierIssue('bootstrap.pgBasebackup.database', c.database),
    identifierIssue('bootstrap.pgBasebackup.owner', c.owner),
  ];
}

function targetIssues(s: ClusterSpec): Issues {
  const t = s.bootstrap.recovery?.target;
  if (!t) return [];
  const path = 'bootstrap.recovery.target';
  const set = (['time', 'lsn', 'xid', 'name', 'immediate'] as const).filter((k) => t[k] !== undefined);
  if (set.length > 1)
    return [refused(path, t, `set at most one of time, lsn, xid, name, immediate (got ${set.join(', ')})`)];
  return [
    t.time !== undefined && !(TIMESTAMP.test(t.time) && !Number.isNaN(Date.parse(t.time.replace(' ', 'T'))))
      ? refused(
          `${path}.time`,
          t.time,
          'must be an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T10:00:00Z',
        )
      : undefined,
    t.lsn !== undefined && !LSN.test(t.lsn)
      ? refused(`${path}.lsn`, t.lsn, 'must be a WAL position such as 0/3000060')
      : undefined,
    t.xid !== undefined && !XID.test(t.xid)
      ? refused(`${path}.xid`, t.xid, 'must be a transaction id (a positive integer)')
      : undefined,
    t.name !== undefined && (t.name === '' || Buffer.byteLength(t.name) > 63 || /[\0\r\n']/.test(t.name))
      ? refused(
          `${path}.name`,
          t.name,
          "must be a restore point name of 1 to 63 bytes on one line, without '",
        )
      : undefined,
    t.exclusive && !(t.time || t.lsn || t.xid)
      ? refused(`${path}.exclusive`, t.exclusive, 'applies to a time, lsn or xid target only')
      : undefined,
  ];
}

function recoveryIssues(s: ClusterSpec): Issues {
  const r = s.bootstrap.recovery;
  if (!r) return [];
  const src = r.source;
  const path = 'bootstrap.recovery.source';
  if ((src.cluster === undefined) === (src.s3 === undefined))
    return [
      refused(path, src, 'set exactly one of cluster (a cluster of this state dir) or s3 (with stanza)'),
    ];
  const fromCluster =
    src.cluster !== undefined
      ? [
          src.cluster === s.name
            ? refused(`${path}.cluster`, src.cluster, 'a cluster cannot be restored from its own archive')
            : undefined,
          src.stanza !== undefined || src.encryption !== undefined
            ? refused(
                path,
                src,
                'with cluster, the stanza and encryption come from that cluster: remove stanza and encryption',
              )
            : undefined,
        ]
      : [];
  const fromS3 = src.s3
    ? [
        ...s3Issues(`${path}.s3`, src.s3, true),
        src.stanza === undefined
          ? {
              path: `${path}.stanza`,
              message: "is required with s3: the stanza to restore (usually the source cluster's name)",
            }
          : STANZA.test(src.stanza)
            ? undefined
            : refused(`${path}.stanza`, src.stanza, 'must be a stanza name (letters, digits, ".", "_", "-")'),
        secretRefIssue(`${path}.encryption.passphrase`, src.encryption?.passphrase),
      ]
    : [];
  return [
    ...fromCluster,
    ...fromS3,
    r.backupSet !== undefined && !/^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/.test(r.backupSet)
      ? refused(
          'bootstrap.recovery.backupSet',
          r.backupSet,
          'must be a pgBackRest backup label such as 20261201-100000F',
        )
      : undefined,
    identifierIssue('bootstrap.recovery.database', r.database),
    identifierIssue('bootstrap.recovery.owner', r.owner),
  ];
}

/** The repository a restored cluster archives to must not be the one it restores from. */
function ownArchiveIssue(s: ClusterSpec): SpecIssue | undefined {
  const from = s.bootstrap.recovery?.source.s3;
  const to = s.backup?.s3;
  if (!from || !to || from.bucket !== to.bucket || (from.endpoint ?? '') !== (to.endpoint ?? ''))
    return undefined;
  const fromPath = from.path ?? `/pgcluster/${s.bootstrap.recovery?.source.stanza}`;
  const toPath = to.path ?? `/pgcluster/${s.name}`;
  return fromPath === toPath
    ? refused(
        'backup.s3.path',
        toPath,
        `is the repository bootstrap.recovery.source reads (${showValue(fromPath)} in ${showValue(from.bucket)}): a restored cluster archives to its own path`,
      )
    : undefined;
}

export function checkBackupRules(s: ClusterSpec): SpecIssue[] {
  return [
    ...backupIssues(s),
    ...basebackupIssues(s),
    ...recoveryIssues(s),
    ...kubernetesBootstrapIssues(s),
    ...targetIssues(s),
    ownArchiveIssue(s),
  ].filter((i): i is SpecIssue => i !== undefined);
}
