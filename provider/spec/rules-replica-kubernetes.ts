/**
 * What `replica` can do on platform.kubernetes (rules-replica.ts has the rules of every platform):
 * a replica cluster by streaming from `source.host` as `source.user` (replicator, or a dedicated
 * replication role the source declares), its credentials from `source.secret`, TLS on and
 * verified with the source's CA (its superuser logs in by a client certificate of it), promoted by `primary` naming it with `force`. Every other case
 * is refused with the field, the value and what is allowed. Pure.
 */
import type { ClusterSpec } from './cluster';
import type { SpecIssue } from './errors';
import {
  POOLER_ADMIN_USER,
  REPLICATION_USER,
  REWIND_USER,
  SUPERUSER,
  dedicatedReplicationRole,
} from '../naming';
import { refused } from './rules-sql-helpers';

type Issues = Array<SpecIssue | undefined>;
/** The roles pgcluster logs in as for other purposes: never a replica cluster's replication role. */
const OWNED_LOGINS = [SUPERUSER, REWIND_USER, POOLER_ADMIN_USER];
const PATH = 'replica.source';
/** A Secret's name: a DNS-1123 subdomain. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function sourceIssues(s: ClusterSpec): Issues {
  const r = s.replica!;
  const src = r.source;
  if (src.cluster !== undefined)
    return [
      refused(
        `${PATH}.cluster`,
        src.cluster,
        "is platform.local only (the pods cannot read another cluster's state): on platform.kubernetes " +
          'give the source by host (a cluster of the same program: `<name>-rw.<namespace>.svc`) and its ' +
          'credentials by secret',
      ),
    ];
  const tls = s.tls?.enabled ? s.tls : undefined;
  return [
    src.secret === undefined
      ? {
          path: `${PATH}.secret`,
          message:
            "is required on platform.kubernetes: name a Secret of this cluster's namespace holding the source's " +
            'replication-password and rewind-password',
        }
      : SECRET_NAME.test(src.secret)
        ? undefined
        : refused(`${PATH}.secret`, src.secret, 'must be the name of a Secret (a DNS-1123 subdomain)'),
    src.password !== undefined
      ? refused(
          `${PATH}.password`,
          src.password,
          'on platform.kubernetes the credentials come from replica.source.secret: remove password',
        )
      : undefined,
    OWNED_LOGINS.includes(src.user)
      ? refused(
          `${PATH}.user`,
          src.user,
          `must be ${REPLICATION_USER} or a dedicated replication role of the source (declared in the source's roles with login and replication, e.g. ${dedicatedReplicationRole(s.name)}), not a role pgcluster owns for another purpose`,
        )
      : undefined,
    src.archive !== undefined
      ? refused(
          `${PATH}.archive`,
          src.archive,
          'is not supported on platform.kubernetes yet (streaming only): remove archive',
        )
      : undefined,
    r.applyDelay !== undefined
      ? refused(
          'replica.applyDelay',
          r.applyDelay,
          'is platform.local only for now (a delayed replica cluster follows the archive): remove applyDelay',
        )
      : undefined,
    r.via !== 'streaming'
      ? refused(
          'replica.via',
          r.via,
          'must be streaming on platform.kubernetes (archive and both are platform.local only for now)',
        )
      : undefined,
    tls && src.sslMode !== 'verify-full'
      ? refused(
          `${PATH}.sslMode`,
          src.sslMode,
          "must be verify-full with tls on: the replica cluster verifies its source with its CA (tls.ca, the source's)",
        )
      : undefined,
    !tls
      ? refused(
          'tls.enabled',
          false,
          "must be true for a replica cluster on platform.kubernetes: it holds none of its source's superuser password, so its deployer and the CLI log in as the superuser with its own client certificate of the source's CA (tls.ca); turn tls on",
        )
      : undefined,
    tls && tls.ca === 'generated'
      ? refused(
          'tls.ca',
          tls.ca,
          "a replica cluster on platform.kubernetes takes its source's CA (a generated one would not verify the source, nor the source admit its replication certificate): set tls.ca to {secret} or {certFile, keyFile} of the source's CA",
        )
      : undefined,
  ];
}

function groupIssues(s: ClusterSpec): Issues {
  const r = s.replica!;
  if (r.primary === undefined) return [];
  if (r.primary !== s.name)
    return [
      refused(
        'replica.primary',
        r.primary,
        `a planned switch is not supported on platform.kubernetes yet: leave primary out (a replica cluster of source), or set it to this cluster (${s.name}) with force: true to promote it`,
      ),
    ];
  return [
    r.force
      ? undefined
      : refused(
          'replica.force',
          r.force,
          `must be true to promote ${s.name} on platform.kubernetes: its lag behind the source (the RPO) is not measured there (no source watch yet)`,
        ),
  ];
}

/** A cluster declared with replica: read-only, its roles are its source's; the SQL resources log in by password. */
function sqlIssues(s: ClusterSpec): Issues {
  return (['roles', 'databases', 'grants'] as const)
    .filter((k) => s[k].length > 0)
    .map((k) => ({
      path: k,
      message: `cannot be declared with replica on platform.kubernetes (${s[k].length} declared): a replica cluster is read-only (its roles and databases are its source's), and the SQL resources log in with a superuser password, which its copied catalog does not hold (the deployer logs in by the cluster's client certificate)`,
    }));
}

export function checkKubernetesReplicaRules(s: ClusterSpec): SpecIssue[] {
  if (!s.replica || !s.platform.kubernetes) return [];
  return [
    ...sourceIssues(s),
    ...groupIssues(s),
    ...sqlIssues(s),
    s.backup
      ? refused(
          'backup',
          { s3: s.backup.s3.bucket ?? '(created)' },
          'is not supported with replica on platform.kubernetes yet: remove backup',
        )
      : undefined,
  ].filter((i): i is SpecIssue => i !== undefined);
}
