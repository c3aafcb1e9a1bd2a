/**
 * Cross-field rules of `replica` (a replica cluster and its group): part of the one rule table
 * (rules.ts). Pure.
 */
import type { ClusterSpec } from './cluster';
import { DNS_1035_LABEL } from './cluster';
import type { SpecIssue } from './errors';
import { identifierIssue } from './identifiers';
import { isReplicaCluster } from './replica';
import { secretRefIssue } from './secret-ref';
import { refused, TIMESTAMP } from './rules-sql-helpers';
import { ENDPOINT, s3Issues, STANZA } from './rules-backup';
import { checkKubernetesReplicaRules } from './rules-replica-kubernetes';

type Issues = Array<SpecIssue | undefined>;
const PATH = 'replica.source';

function clusterName(path: string, value: string): SpecIssue | undefined {
  return DNS_1035_LABEL.test(value)
    ? undefined
    : refused(path, value, 'must be the name of a cluster (a DNS-1035 label)');
}

function sourceIssues(s: ClusterSpec): Issues {
  const src = s.replica!.source;
  if ((src.cluster === undefined) === (src.host === undefined))
    return [
      refused(
        PATH,
        src,
        'set exactly one of cluster (a cluster of this state dir) or host (an external primary)',
      ),
    ];
  if (src.cluster !== undefined)
    return [
      clusterName(`${PATH}.cluster`, src.cluster),
      src.cluster === s.name
        ? refused(`${PATH}.cluster`, src.cluster, 'a cluster cannot be a replica of itself')
        : undefined,
      src.password !== undefined || src.archive !== undefined || src.caFile !== undefined
        ? refused(
            PATH,
            src,
            "with cluster, the credentials, the CA and the archive come from that cluster's state: remove password, caFile and archive",
          )
        : undefined,
    ];
  const archive = src.archive;
  const local = s.platform.kubernetes === undefined;
  const verifies = src.sslMode === 'verify-ca' || src.sslMode === 'verify-full';
  return [
    ...(local
      ? [
          src.password === undefined
            ? {
                path: `${PATH}.password`,
                message: `is required with host on platform.local: the password of ${src.user}, the role this cluster's members replicate as`,
              }
            : undefined,
          verifies && src.caFile === undefined
            ? {
                path: `${PATH}.caFile`,
                message: `is required with sslMode ${src.sslMode}: the CA that signed ${src.host}'s server certificate`,
              }
            : undefined,
          !verifies && src.caFile !== undefined
            ? refused(
                `${PATH}.caFile`,
                src.caFile,
                'needs sslMode verify-ca or verify-full, or remove caFile',
              )
            : undefined,
          s.tls?.enabled && s.tls.clientAuth.replication === 'cert'
            ? refused(
                'tls.clientAuth.replication',
                'cert',
                `cannot be used with an external source (${src.host} does not trust this cluster's CA): set tls.clientAuth.replication: password`,
              )
            : undefined,
        ]
      : [
          src.caFile !== undefined
            ? refused(
                `${PATH}.caFile`,
                src.caFile,
                "is platform.local only: on platform.kubernetes the source's CA is tls.ca",
              )
            : undefined,
        ]),
    ENDPOINT.test(src.host as string)
      ? undefined
      : refused(`${PATH}.host`, src.host, 'must be a host name or address'),
    identifierIssue(`${PATH}.user`, src.user),
    secretRefIssue(`${PATH}.password`, src.password),
    ...(archive
      ? [
          ...s3Issues(`${PATH}.archive.s3`, archive.s3, true),
          STANZA.test(archive.stanza)
            ? undefined
            : refused(
                `${PATH}.archive.stanza`,
                archive.stanza,
                'must be a stanza name (letters, digits, ".", "_", "-")',
              ),
          secretRefIssue(`${PATH}.archive.encryption.passphrase`, archive.encryption?.passphrase),
        ]
      : []),
    s.replica!.via !== 'streaming' && !archive
      ? refused(
          'replica.via',
          s.replica!.via,
          "needs the source's archive: set replica.source.archive (s3 and stanza), or use via: streaming",
        )
      : undefined,
  ];
}

function groupIssues(s: ClusterSpec): Issues {
  const r = s.replica!;
  if (r.primary === undefined) return [];
  const named = clusterName('replica.primary', r.primary);
  if (named) return [named];
  const members = [s.name, ...(r.source.cluster ? [r.source.cluster] : [])];
  return [
    r.source.cluster !== undefined && !members.includes(r.primary)
      ? refused(
          'replica.primary',
          r.primary,
          `must be a cluster of the group: this cluster (${s.name}) or its source (${r.source.cluster})`,
        )
      : undefined,
  ];
}

const POSTGRES_DURATION = /^\d+\s*(ms|s|min|h|d)$/;

/** applyDelay and target: a delayed replica cluster, and where its unplanned promotion stops. */
function delayIssues(s: ClusterSpec): Issues {
  const r = s.replica!;
  const t = r.target;
  return [
    r.applyDelay !== undefined && !POSTGRES_DURATION.test(r.applyDelay)
      ? refused(
          'replica.applyDelay',
          r.applyDelay,
          'must be a duration with a unit: ms, s, min, h or d (e.g. 30s, 15min, 1h)',
        )
      : undefined,
    t && !(TIMESTAMP.test(t.time) && !Number.isNaN(Date.parse(t.time.replace(' ', 'T'))))
      ? refused(
          'replica.target.time',
          t.time,
          'must be an ISO 8601 timestamp with a time zone, e.g. 2026-12-01T10:00:00Z',
        )
      : undefined,
    t && r.primary !== s.name
      ? refused(
          'replica.target',
          t,
          `is where a promotion of this cluster stops: set it together with replica.primary: ${s.name}, or remove it`,
        )
      : undefined,
    t && r.via !== 'archive'
      ? refused(
          'replica.via',
          r.via,
          'must be archive with replica.target: the replay to a time reads the source archive, and members ' +
            'that stream receive WAL past the time (their cascading replicas would replay it)',
        )
      : undefined,
    t && r.applyDelay === undefined
      ? {
          path: 'replica.applyDelay',
          message:
            'is required with replica.target: a replica cluster without a delay has already replayed past any ' +
            'time of the past, and replay cannot go back (set it when the replica cluster is created, e.g. 1h)',
        }
      : undefined,
  ];
}

/** What a replica cluster cannot do: write (roles, databases, grants), or get its data another way. */
function readOnlyIssues(s: ClusterSpec): Issues {
  if (!isReplicaCluster(s)) return [];
  const from = s.replica!.source.cluster ?? s.replica!.source.host;
  const writes = (['roles', 'databases', 'grants'] as const)
    .filter((k) => s[k].length > 0)
    .map((k) => ({
      path: k,
      message: `cannot be declared on a replica cluster (read-only): ${k} come from the source (${from}); declare them there, or remove them (${s[k].length} declared)`,
    }));
  const bootstrap = (['pgBasebackup', 'recovery'] as const).find((k) => s.bootstrap[k] !== undefined);
  return [
    ...writes,
    bootstrap
      ? refused(
          `bootstrap.${bootstrap}`,
          s.bootstrap[bootstrap],
          `a replica cluster gets its data from replica.source (${from}): remove bootstrap`,
        )
      : undefined,
  ];
}

export function checkReplicaRules(s: ClusterSpec): SpecIssue[] {
  if (!s.replica) return [];
  // On Kubernetes only the supported part is checked: its refusals say what else is allowed.
  if (s.platform.kubernetes) {
    const own = checkKubernetesReplicaRules(s);
    if (own.length > 0) return own;
  }
  return [
    ...sourceIssues(s),
    ...groupIssues(s),
    ...delayIssues(s),
    ...readOnlyIssues(s),
    s.replica.source.secret !== undefined && !s.platform.kubernetes
      ? refused(
          `${PATH}.secret`,
          s.replica.source.secret,
          "is platform.kubernetes only: on platform.local the credentials come from source.cluster's state (or password, with host)",
        )
      : undefined,
  ].filter((i): i is SpecIssue => i !== undefined);
}
