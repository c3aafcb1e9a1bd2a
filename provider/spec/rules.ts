/**
 * Cross-field rules: one table, each rule names the field, the value and what is allowed.
 * Pure: runs on a spec that already passed the zod schemas.
 */
import type { ClusterSpec } from './cluster';
import { DNS_1035_LABEL, MAX_NAME_LENGTH, POSTGRES_VERSIONS } from './cluster';
import { NOT_YET_SUPPORTED } from './later';
import { OWNED_PARAMETERS, OWNED_POOLER_SETTINGS } from './owned';
import { showValue, type SpecIssue } from './errors';
import { identifierIssue } from './identifiers';
import { memberSlot } from '../naming';
import { checkSqlRules } from './rules-sql';
import { checkBackupRules } from './rules-backup';
import { checkObservabilityRules } from './rules-tls';
import { checkReplicaRules } from './rules-replica';

/** Members a local cluster can have: its ports are laid out for this many (see platform.local.basePort). */
export const MAX_LOCAL_INSTANCES = 20;
const KUBERNETES_ONLY = ['resources', 'scheduling'] as const;

/** What a spec declares that its platform accepts and does not apply, one sentence each (shown by `up`). */
export function notApplicable(s: ClusterSpec): string[] {
  return s.platform.local && s.storage
    ? [
        'storage: not applicable on platform.local (the members keep their data in the state dir, on ' +
          "this host's filesystem; there is no volume to size): accepted and left as it is",
      ]
    : [];
}

const OCTET = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?\\d)$`);

type Rule = (spec: ClusterSpec) => SpecIssue | SpecIssue[] | undefined;

/** Top-level keys declared for a later version (none today; see later.ts). */
const LATER_KEYS = [] as const satisfies ReadonlyArray<keyof ClusterSpec>;

/** Why pgcluster owns a setting, or undefined. Own keys only: `constructor` is not an owned setting. */
function ownedReason(table: Readonly<Record<string, string>>, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.hasOwn(table, lower) ? table[lower] : undefined;
}

function noNewlines(path: string, value: unknown): SpecIssue | undefined {
  return typeof value === 'string' && /[\r\n\0]/.test(value)
    ? { path, message: `${showValue(value)} is not allowed: must not contain newlines or NUL` }
    : undefined;
}

export const RULES: readonly Rule[] = [
  (s) =>
    DNS_1035_LABEL.test(s.name) && s.name.length <= MAX_NAME_LENGTH
      ? undefined
      : {
          path: 'name',
          message: `${showValue(s.name)} is not allowed: must be a DNS-1035 label of at most ${MAX_NAME_LENGTH} characters (lowercase letters, digits and "-", starting with a letter, not ending with "-")`,
        },
  (s) =>
    (POSTGRES_VERSIONS as readonly number[]).includes(s.postgresVersion)
      ? undefined
      : {
          path: 'postgresVersion',
          message: `${s.postgresVersion} is not allowed: must be one of ${POSTGRES_VERSIONS.join(', ')}`,
        },
  (s) =>
    s.synchronous && s.synchronous.number >= s.instances
      ? {
          path: 'synchronous.number',
          message: `${s.synchronous.number} must be < instances (${s.instances}): a primary needs that many replicas besides itself`,
        }
      : undefined,
  (s) =>
    s.ha.loopWait + 2 * s.ha.retryTimeout > s.ha.ttl
      ? {
          path: 'ha.ttl',
          message: `${s.ha.ttl} is not allowed: Patroni needs loopWait + 2 x retryTimeout <= ttl (${s.ha.loopWait} + 2 x ${s.ha.retryTimeout} = ${s.ha.loopWait + 2 * s.ha.retryTimeout})`,
        }
      : undefined,
  (s) => {
    const chosen = (['local', 'kubernetes'] as const).filter((k) => s.platform[k] !== undefined);
    if (chosen.length !== 1)
      return {
        path: 'platform',
        message: `${chosen.length ? `${chosen.map((k) => `"${k}"`).join(' and ')} together` : showValue(s.platform)} is not allowed: set exactly one of local, kubernetes`,
      };
    return undefined;
  },
  (s) =>
    s.platform.local
      ? KUBERNETES_ONLY.filter((k) => s[k] !== undefined).map((k) => ({
          path: k,
          message: 'applies to platform.kubernetes only: remove it for platform.local',
        }))
      : undefined,
  (s) => {
    const local = s.platform.local;
    if (!local) return undefined;
    return [
      local.host !== undefined && !IPV4.test(local.host)
        ? {
            path: 'platform.local.host',
            message: `${showValue(local.host)} is not allowed: must be an IPv4 address of this host, e.g. 10.246.1.1`,
          }
        : undefined,
      ...local.allowedNetworks.map((n, i) =>
        CIDR.test(n)
          ? undefined
          : {
              path: `platform.local.allowedNetworks[${i}]`,
              message: `${showValue(n)} is not allowed: must be an IPv4 network in CIDR form, e.g. 10.246.0.0/16`,
            },
      ),
    ].filter((i): i is SpecIssue => i !== undefined);
  },
  (s) =>
    s.platform.local && s.instances > MAX_LOCAL_INSTANCES
      ? {
          path: 'instances',
          message: `${s.instances} is not allowed on platform.local: at most ${MAX_LOCAL_INSTANCES}`,
        }
      : undefined,
  (s) => {
    const chosen = (['initdb', 'pgBasebackup', 'recovery'] as const).filter(
      (k) => s.bootstrap[k] !== undefined,
    );
    if (chosen.length !== 1)
      return {
        path: 'bootstrap',
        message: `${showValue(s.bootstrap)} is not allowed: set exactly one of initdb, pgBasebackup, recovery`,
      };
    return undefined;
  },
  (s) =>
    s.bootstrap.initdb
      ? [
          identifierIssue('bootstrap.initdb.database', s.bootstrap.initdb.database),
          identifierIssue('bootstrap.initdb.owner', s.bootstrap.initdb.owner),
        ].filter((i): i is SpecIssue => i !== undefined)
      : undefined,
  (s) =>
    (LATER_KEYS as ReadonlyArray<keyof ClusterSpec>)
      .filter((k) => s[k] !== undefined)
      .map((k) => ({
        path: k,
        message: `${NOT_YET_SUPPORTED} by this version of pgcluster: remove the key`,
      })),
  (s) =>
    Object.entries(s.parameters).flatMap(([key, value]) => {
      const owned = ownedReason(OWNED_PARAMETERS, key);
      if (owned)
        return [{ path: `parameters.${key}`, message: `is owned by pgcluster and cannot be set (${owned})` }];
      return [noNewlines(`parameters.${key}`, value)].filter((i): i is SpecIssue => i !== undefined);
    }),
  (s) =>
    Object.entries(s.pooler.parameters).flatMap(([key, value]) => {
      const owned = ownedReason(OWNED_POOLER_SETTINGS, key);
      if (owned)
        return [
          { path: `pooler.parameters.${key}`, message: `is owned by pgcluster and cannot be set (${owned})` },
        ];
      return [noNewlines(`pooler.parameters.${key}`, value)].filter((i): i is SpecIssue => i !== undefined);
    }),
  (s) => {
    const seen = new Map<string, string>();
    return Object.keys(s.parameters).flatMap((key) => {
      const other = seen.get(key.toLowerCase());
      seen.set(key.toLowerCase(), key);
      return other
        ? [
            {
              path: `parameters.${key}`,
              message: `duplicates parameters.${other}: parameter names are case-insensitive`,
            },
          ]
        : [];
    });
  },
  (s) =>
    s.bootstrap.initdb
      ? (['encoding', 'locale'] as const)
          .map((k) => noNewlines(`bootstrap.initdb.${k}`, s.bootstrap.initdb?.[k]))
          .filter((i): i is SpecIssue => i !== undefined)
      : undefined,
  (s) =>
    s.pgHba.map((line, i) => noNewlines(`pgHba[${i}]`, line)).filter((i): i is SpecIssue => i !== undefined),
  (s) => {
    if (s.primary === undefined) return undefined;
    const slot = memberSlot(s.name, s.primary);
    return slot !== undefined && slot <= MAX_LOCAL_INSTANCES
      ? undefined
      : {
          path: 'primary',
          message: `${showValue(s.primary)} is not allowed: must be a member name of this cluster, "${s.name}-<n>"`,
        };
  },
  (s) =>
    s.fenced.flatMap((member, i) => {
      const slot = memberSlot(s.name, member);
      if (slot === undefined || slot > s.instances)
        return [
          {
            path: `fenced[${i}]`,
            message: `${showValue(member)} is not allowed: must be a member of this cluster, ${s.name}-1 .. ${s.name}-${s.instances}`,
          },
        ];
      if (s.fenced.indexOf(member) !== i)
        return [{ path: `fenced[${i}]`, message: `${showValue(member)} is listed twice` }];
      if (member === s.primary)
        return [
          {
            path: `fenced[${i}]`,
            message: `${showValue(member)} is also the desired primary: a fenced member cannot be the primary`,
          },
        ];
      return [];
    }),
  (s) => {
    const serving = s.instances - new Set(s.fenced).size;
    const needed = s.synchronous ? s.synchronous.number + 1 : 1;
    return s.fenced.length > 0 && serving < needed
      ? {
          path: 'fenced',
          message: `${s.fenced.length} fenced of ${s.instances} is not allowed: at least ${needed} member(s) must stay unfenced (a primary${s.synchronous ? ` and synchronous.number ${s.synchronous.number} replica(s)` : ''})`,
        }
      : undefined;
  },
  (s) =>
    s.platform.local && s.pooler.instances !== undefined && s.pooler.instances > 1
      ? {
          path: 'pooler.instances',
          message: `${s.pooler.instances} is not allowed on platform.local: it runs one PgBouncer process (1, or leave it out)`,
        }
      : undefined,
  checkSqlRules,
  checkBackupRules,
  checkObservabilityRules,
  checkReplicaRules,
];

export function checkRules(spec: ClusterSpec): SpecIssue[] {
  return RULES.flatMap((rule) => {
    const found = rule(spec);
    return found === undefined ? [] : Array.isArray(found) ? found : [found];
  });
}
