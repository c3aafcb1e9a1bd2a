/**
 * The local cluster's CRUD, run inside the dynamic-provider host. Same actions as the CLI.
 * Never replaces: a change to a field fixed at creation is refused at check time (preview),
 * because replacing a database cluster would drop its data.
 */
import type * as pulumi from '@pulumi/pulumi';
import { parseSpec, SpecError, type ClusterSpec } from '../spec';
import { LocalPlatform } from '../platform/local';
import { up } from '../actions/up';
import { destroy } from '../actions/lifecycle';
import { status } from '../actions/status';
import { clusterUris } from '../actions/uri';
import { diffSpecs } from '../plan/spec-diff';
import type { Reporter } from '../report/reporter';
import type { PoolerUser } from '../sql/pooler-users';
import type { ProvisionInputs } from '../platform/types';
import { localArchiveProblems } from '../platform/local/pgbackrest';

interface Props {
  stateDir: string;
  spec: ClusterSpec;
  poolerUsers?: PoolerUser[];
  backupInputs?: ProvisionInputs;
  restartRequired?: string[];
  /** The last action's sentence, kept by read() so a refresh does not show it as removed. */
  lastAction?: string;
}

function collect(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, step: (l) => lines.push(l), done: (l) => lines.push(l) };
}

async function observe(props: Props, lastAction?: string) {
  const platform = new LocalPlatform(props.stateDir);
  const s = await status(platform, props.spec.name);
  const runtime = await platform.runtime(props.spec.name);
  const access = await platform.access(props.spec.name);
  const hosts = (list: Array<{ host: string; port: number }>) =>
    list.map((e) => `${e.host}:${e.port}`).join(',');
  return {
    stateDir: props.stateDir,
    spec: props.spec,
    ...(props.poolerUsers ? { poolerUsers: props.poolerUsers } : {}),
    ...(props.backupInputs ? { backupInputs: props.backupInputs } : {}),
    restartRequired: props.restartRequired ?? [],
    primary: s.primary ?? '',
    members: s.members.map((m) => ({ name: m.name, role: m.role, state: m.state })),
    endpoints: {
      rw: hosts(runtime.endpoints.rw),
      ro: hosts(runtime.endpoints.ro),
      r: hosts(runtime.endpoints.rw),
      ...(runtime.endpoints.pooler ? { pooler: hosts([runtime.endpoints.pooler]) } : {}),
    },
    connectionUri: clusterUris(runtime.endpoints, access.app(), true).rw,
    adminConnection: {
      endpoints: hosts(runtime.endpoints.rw),
      user: access.superuser().user,
      password: access.superuser().password,
      database: 'postgres',
      ...(access.superuser().ssl ? { ca: access.superuser().ssl?.ca } : {}),
    },
    ...(lastAction ? { lastAction } : {}),
  };
}

export async function check(olds: Partial<Props>, news: Props): Promise<pulumi.dynamic.CheckResult> {
  let spec: ClusterSpec;
  try {
    spec = parseSpec(news.spec);
  } catch (e) {
    if (e instanceof SpecError)
      return {
        failures: e.issues.map((i) => ({ property: `spec.${i.path}`, reason: `${i.path}: ${i.message}` })),
      };
    throw e;
  }
  const archive = localArchiveProblems(spec, news.backupInputs?.secrets ?? {});
  if (archive.length > 0)
    return { failures: archive.map((reason) => ({ property: `spec.${reason.split(':')[0]}`, reason })) };
  if (olds.spec) {
    const change = diffSpecs(parseSpec(olds.spec), spec);
    const failures = change.fixed.map((f) => ({
      property: `spec.${f.path}`,
      reason: `${f.path} cannot change for an existing cluster (${JSON.stringify(f.from)} -> ${JSON.stringify(f.to)}): it would need a new cluster and lose the data; destroy and recreate it explicitly`,
    }));
    if (failures.length > 0) return { failures };
    return { inputs: { ...news, spec, restartRequired: change.restartParameters } };
  }
  return { inputs: { ...news, spec, restartRequired: [] } };
}

/**
 * The dynamic-provider host passes on changes/replaces only (no detailed diff); the engine shows
 * the changed input paths itself, and `restartRequired` (set by check) says what restarts.
 * `olds` are the last observed outputs: a primary other than the desired one (a failover, or a
 * switchover by hand, seen by `pulumi refresh`) is a change too, so `pulumi up` switches back.
 */
export async function diff(
  _id: string,
  olds: Props & { primary?: string },
  news: Props,
): Promise<pulumi.dynamic.DiffResult> {
  const desired = parseSpec(news.spec);
  const change = diffSpecs(parseSpec(olds.spec), desired);
  const offPrimary = desired.primary !== undefined && !!olds.primary && olds.primary !== desired.primary;
  const users = (p: Props) => JSON.stringify(p.poolerUsers ?? []);
  const secrets = (p: Props) => JSON.stringify(p.backupInputs?.secrets ?? {});
  const changes =
    change.changed.length > 0 ||
    olds.stateDir !== news.stateDir ||
    offPrimary ||
    users(olds) !== users(news) ||
    secrets(olds) !== secrets(news);
  return changes ? { changes, replaces: [], deleteBeforeReplace: false } : { changes: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const spec = parseSpec(inputs.spec);
  const reporter = collect();
  await up(new LocalPlatform(inputs.stateDir), spec, reporter, {
    poolerUsers: inputs.poolerUsers ?? [],
    ...(inputs.backupInputs ? { inputs: inputs.backupInputs } : {}),
  });
  return {
    id: `${inputs.stateDir}/${spec.name}`,
    outs: await observe({ ...inputs, spec }, reporter.lines.at(-1)),
  };
}

export async function update(_id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const spec = parseSpec(news.spec);
  const reporter = collect();
  await up(new LocalPlatform(news.stateDir), spec, reporter, {
    poolerUsers: news.poolerUsers ?? [],
    ...(news.backupInputs ? { inputs: news.backupInputs } : {}),
  });
  return { outs: await observe({ ...news, spec }, reporter.lines.at(-1)) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const platform = new LocalPlatform(props.stateDir);
  if (!(await platform.runtime(props.spec.name)).exists)
    return { id: undefined as unknown as string, props: {} };
  return { id, props: await observe(props, props.lastAction) };
}

export async function remove(_id: string, props: Props): Promise<void> {
  await destroy(new LocalPlatform(props.stateDir), props.spec.name, collect());
}
