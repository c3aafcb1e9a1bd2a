/**
 * The custom resources the provider plugin serves, `pgcluster:index:<Type>`, each by the same
 * provider object its TypeScript class uses as a dynamic resource: one code path. The engine's
 * calls map onto it one to one (a missing method gets the dynamic host's default).
 */
import type * as pulumi from '@pulumi/pulumi';
import type * as provider from '@pulumi/pulumi/provider';
import { TYPES } from '../naming';
import { PACKAGE } from '../pulumi/resource-base';
import { roleProvider } from '../pulumi/role';
import { databaseProvider } from '../pulumi/database';
import { grantProvider } from '../pulumi/grant';
import { backupProvider } from '../pulumi/backup';
import { localProvider } from '../pulumi/local';
import { readinessProvider } from '../pulumi/readiness';
import { scaleGuardProvider } from '../pulumi/scale-guard';
import { memberStorageProvider } from '../pulumi/member-storage';
import { passwordProvider } from '../pulumi/password';
import { certificatesProvider } from '../pulumi/certificates';
import { tlsCertificatesProvider } from '../pulumi/tls-certificates';
import { clientCertificateProvider } from '../pulumi/client-certificate';

export const SERVED: Readonly<Record<string, pulumi.dynamic.ResourceProvider>> = {
  [TYPES.role]: roleProvider,
  [TYPES.database]: databaseProvider,
  [TYPES.grant]: grantProvider,
  [TYPES.backup]: backupProvider,
  [TYPES.localCluster]: localProvider,
  [TYPES.clusterReady]: readinessProvider,
  [TYPES.scaleDownGuard]: scaleGuardProvider,
  [TYPES.memberStorage]: memberStorageProvider,
  [TYPES.password]: passwordProvider,
  [TYPES.certificates]: certificatesProvider,
  [TYPES.tlsCertificates]: tlsCertificatesProvider,
  [TYPES.clientCertificate]: clientCertificateProvider,
};

/** The provider of a resource, from its URN (`urn:pulumi:stack::project::[parent$]pgcluster:index:Role::name`). */
export function servedBy(urn: string): pulumi.dynamic.ResourceProvider {
  const type = urn.split('::')[2]?.split('$').at(-1) ?? '';
  const [pkg, mod, name = ''] = type.split(':');
  const found = pkg === PACKAGE && mod === 'index' ? SERVED[name] : undefined;
  if (!found)
    throw new Error(
      `unknown resource type ${type}: this provider serves ${Object.keys(SERVED)
        .map((t) => `${PACKAGE}:index:${t}`)
        .join(', ')}`,
    );
  return found;
}

/** How the engine marks a secret in a property value (the Node SDK's rpc sentinels). */
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

type Json = unknown;

/**
 * The value with every secret unwrapped, and the paths that were secret: the providers work on
 * plain values (as in the dynamic-provider host), and what they return is marked secret again at
 * the same paths, so a secret input never comes back in clear.
 */
export function reveal(
  value: Json,
  secrets: Set<string> = new Set(),
  path = '',
): { value: Json; secrets: Set<string> } {
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  ) {
    secrets.add(path);
    return reveal((value as { value: Json }).value, secrets, path);
  }
  if (Array.isArray(value))
    return { value: value.map((v, i) => reveal(v, secrets, `${path}[${i}]`).value), secrets };
  if (value !== null && typeof value === 'object')
    return {
      value: Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, reveal(v, secrets, path ? `${path}.${k}` : k).value]),
      ),
      secrets,
    };
  return { value, secrets };
}

export function conceal(value: Json, secrets: ReadonlySet<string>, path = ''): Json {
  const wrap = (v: Json) => (secrets.has(path) && v !== undefined ? { [SIG_KEY]: SECRET_SIG, value: v } : v);
  if (Array.isArray(value)) return wrap(value.map((v, i) => conceal(v, secrets, `${path}[${i}]`)));
  if (value !== null && typeof value === 'object')
    return wrap(
      Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, conceal(v, secrets, path ? `${path}.${k}` : k)]),
      ),
    );
  return wrap(value);
}

/** The engine's CRUD calls, answered by the dynamic providers (their defaults where one is missing). */
export const customResourceMethods = {
  async check(urn: string, olds: Json, news: Json): Promise<provider.CheckResult> {
    const p = servedBy(urn);
    const n = reveal(news);
    if (!p.check) return { inputs: news };
    const result = await p.check(reveal(olds).value, n.value);
    return {
      ...result,
      ...(result.inputs !== undefined ? { inputs: conceal(result.inputs, n.secrets) } : {}),
    };
  },
  async diff(id: string, urn: string, olds: Json, news: Json): Promise<provider.DiffResult> {
    const p = servedBy(urn);
    const o = reveal(olds).value;
    const n = reveal(news).value;
    if (p.diff) return p.diff(id, o, n);
    return { changes: JSON.stringify(o) !== JSON.stringify(n) };
  },
  async create(urn: string, inputs: Json): Promise<provider.CreateResult> {
    const i = reveal(inputs);
    const result = await servedBy(urn).create(i.value);
    return { ...result, outs: conceal(result.outs, i.secrets) };
  },
  async read(id: string, urn: string, props?: Json): Promise<provider.ReadResult> {
    const p = servedBy(urn);
    const r = reveal(props);
    if (!p.read) return { id, props };
    const result = await p.read(id, r.value);
    return {
      ...result,
      ...(result.props !== undefined ? { props: conceal(result.props, r.secrets) } : {}),
      ...((result as provider.ReadResult).inputs !== undefined
        ? { inputs: conceal((result as provider.ReadResult).inputs, r.secrets) }
        : {}),
    };
  },
  async update(id: string, urn: string, olds: Json, news: Json): Promise<provider.UpdateResult> {
    const p = servedBy(urn);
    if (!p.update) throw new Error(`${urn}: cannot be updated (its provider has no update)`);
    const n = reveal(news);
    const result = await p.update(id, reveal(olds).value, n.value);
    return { ...result, outs: conceal(result.outs, n.secrets) };
  },
  async delete(id: string, urn: string, props: Json): Promise<void> {
    const p = servedBy(urn);
    if (p.delete) await p.delete(id, reveal(props).value);
  },
};
