/**
 * Drives a `pulumi.dynamic` provider through the real Node.js dynamic-provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC, the way the engine does:
 * - the provider travels as the `__provider` property, the module text that
 *   `pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })` produces, exactly what
 *   `pulumi.dynamic.Resource` registers (a secret when the provider captured secrets);
 * - the host is started like the engine's `pulumi-resource-pulumi-nodejs` shim (node, the engine
 *   address as argument, PULUMI_NODEJS_PROJECT/PULUMI_PROJECT/PULUMI_CONFIG, the program's
 *   directory as cwd), then Handshake (unimplemented by the host), GetPluginInfo, CheckConfig
 *   (unimplemented) and Configure with the stack config;
 * - property values are marshalled by the engine's rules (property-values.ts): secrets plain for a
 *   host that does not accept them, then re-marked on the outputs; unknowns only in previews.
 * Values passed in and returned leave `__provider` out: the harness adds it as the engine would.
 * The host is plain node, as in production: a provider that `require`s a file by path must point at
 * compiled JS, so import such a provider from dist/ (under tsx its path would be a .ts file).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type * as pulumi from '@pulumi/pulumi';
import { serializeFunction } from '@pulumi/pulumi/runtime';
import { ResourceProviderClient } from '@pulumi/pulumi/proto/provider_grpc_pb';
import * as proto from '@pulumi/pulumi/proto/provider_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import type { PluginInfo } from '@pulumi/pulumi/proto/plugin_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { RpcError, unary } from './grpc-call';
import { startPluginProcess } from './plugin-process';
import {
  annotateSecrets,
  marshalProperties,
  secret,
  unmarshalProperties,
  type PropertyMap,
} from './property-values';

const PROVIDER_KEY = '__provider';
const ROOT = resolve(__dirname, '..', '..');

export interface DynamicHostOptions {
  /** The program directory the engine runs the host in (requires in the provider resolve from here). */
  cwd?: string;
  project?: string;
  stack?: string;
  /** Resource name and type as `new pulumi.dynamic.Resource(provider, name, props, opts, module, type)`. */
  name?: string;
  module?: string;
  type?: string;
  /** Stack configuration, full keys (`project:key`): what `provider.configure(req).config` reads. */
  config?: Record<string, string>;
  /** Extra environment of the host process. */
  env?: NodeJS.ProcessEnv;
}

export interface DiffOutcome {
  /** true: DIFF_SOME, false: DIFF_NONE, undefined: DIFF_UNKNOWN. */
  changes: boolean | undefined;
  replaces: string[];
  stables: string[];
  diffs: string[];
  deleteBeforeReplace: boolean;
}

export interface DynamicHost {
  pid: number;
  urn: string;
  /** The host's GetPluginInfo version (the @pulumi/pulumi version). */
  version: string;
  /** What the host answered to Configure. */
  acceptSecrets: boolean;
  check(
    olds: PropertyMap,
    news: PropertyMap,
    options?: { preview?: boolean },
  ): Promise<{ inputs: PropertyMap; failures: Array<{ property: string; reason: string }> }>;
  diff(
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    options?: { oldInputs?: PropertyMap; preview?: boolean },
  ): Promise<DiffOutcome>;
  create(props: PropertyMap): Promise<{ id: string; outs: PropertyMap }>;
  read(
    id: string,
    props: PropertyMap,
    inputs?: PropertyMap,
  ): Promise<{ id: string; props: PropertyMap; inputs?: PropertyMap }>;
  update(
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs?: PropertyMap,
  ): Promise<{ outs: PropertyMap }>;
  delete(id: string, props: PropertyMap, oldInputs?: PropertyMap): Promise<void>;
  /** What the host printed after its port (stdout) and on stderr. */
  output(): string;
  /** Stops the host by its PID. */
  stop(): Promise<void>;
}

/** The `__provider` value exactly as `pulumi.dynamic.Resource` computes it. */
export async function serializeDynamicProvider(provider: pulumi.dynamic.ResourceProvider): Promise<unknown> {
  // The same arrow, with the same source text, as serializeFunctionMaybeSecret in @pulumi/pulumi/dynamic.
  const capture = new Function('provider', 'return () => provider;') as (p: unknown) => () => unknown;
  const serialized = await serializeFunction(capture(provider), { allowSecrets: true });
  return serialized.containsSecrets ? secret(serialized.text) : serialized.text;
}

export async function startDynamicHost(
  provider: pulumi.dynamic.ResourceProvider,
  options: DynamicHostOptions = {},
): Promise<DynamicHost> {
  const cwd = options.cwd ?? ROOT;
  const project = options.project ?? 'pgcluster-test';
  const stack = options.stack ?? 'test';
  const type = `pulumi-nodejs:dynamic${options.module ? `/${options.module}` : ''}:${options.type ?? 'Resource'}`;
  const name = options.name ?? 'resource';
  const urn = `urn:pulumi:${stack}::${project}::${type}::${name}`;
  const config = options.config ?? {};
  const providerValue = await serializeDynamicProvider(provider);

  const script = require.resolve('@pulumi/pulumi/cmd/dynamic-provider', { paths: [cwd] });
  const host = await startPluginProcess(process.execPath, [script, '127.0.0.1:0'], {
    cwd,
    env: {
      ...process.env,
      ...options.env,
      PULUMI_NODEJS_PROJECT: project,
      PULUMI_PROJECT: project,
      PULUMI_CONFIG: JSON.stringify(config),
    },
  });
  const client = new ResourceProviderClient(host.address, grpc.credentials.createInsecure());
  try {
    const { version, acceptSecrets } = await connect(client, config);
    return hostApi({ client, host, urn, name, type, version, acceptSecrets, providerValue });
  } catch (error) {
    client.close();
    await host.stop();
    throw error;
  }
}

/**
 * The pgcluster provider plugin (bin/pulumi-resource-pgcluster, as the engine starts it) serving
 * one of its custom resource types, `pgcluster:index:<type>`, through the same API as the dynamic
 * host: the same test cases run against both (one code path, two ways in).
 */
export async function startPluginResourceHost(
  type: string,
  options: Omit<DynamicHostOptions, 'module' | 'type'> = {},
): Promise<DynamicHost> {
  const cwd = options.cwd ?? ROOT;
  const project = options.project ?? 'pgcluster-test';
  const stack = options.stack ?? 'test';
  const token = `pgcluster:index:${type}`;
  const name = options.name ?? 'resource';
  const urn = `urn:pulumi:${stack}::${project}::${token}::${name}`;
  const config = options.config ?? {};
  const host = await startPluginProcess(join(ROOT, 'bin', 'pulumi-resource-pgcluster'), ['127.0.0.1:0'], {
    cwd,
    env: { ...process.env, ...options.env, PULUMI_PROJECT: project, PULUMI_CONFIG: JSON.stringify(config) },
  });
  const client = new ResourceProviderClient(host.address, grpc.credentials.createInsecure());
  try {
    const { version, acceptSecrets } = await connect(client, config);
    return hostApi({
      client,
      host,
      urn,
      name,
      type: token,
      version,
      acceptSecrets,
      providerValue: undefined,
    });
  } catch (error) {
    client.close();
    await host.stop();
    throw error;
  }
}

async function connect(client: ResourceProviderClient, config: Record<string, string>) {
  await unimplementedOk(
    unary<proto.ProviderHandshakeResponse>('Handshake', (cb) =>
      client.handshake(new proto.ProviderHandshakeRequest().setEngineAddress('127.0.0.1:0'), cb),
    ),
  );
  const info = await unary<PluginInfo>('GetPluginInfo', (cb) => client.getPluginInfo(new Empty(), cb));
  await unimplementedOk(
    unary<proto.CheckResponse>('CheckConfig', (cb) => client.checkConfig(new proto.CheckRequest(), cb)),
  );
  const request = new proto.ConfigureRequest()
    .setArgs(Struct.fromJavaScript(config))
    .setAcceptsecrets(true)
    .setAcceptresources(true)
    .setSendsOldInputs(true)
    .setSendsOldInputsToDelete(true);
  for (const [key, value] of Object.entries(config)) request.getVariablesMap().set(key, value);
  const configured = await unary<proto.ConfigureResponse>('Configure', (cb) => client.configure(request, cb));
  return { version: info.getVersion(), acceptSecrets: configured.getAcceptsecrets() };
}

async function unimplementedOk(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof RpcError && error.code === grpc.status.UNIMPLEMENTED)) throw error;
  }
}

interface HostParts {
  client: ResourceProviderClient;
  host: { pid: number; output(): string; stop(): Promise<void> };
  urn: string;
  name: string;
  type: string;
  version: string;
  acceptSecrets: boolean;
  providerValue: unknown;
}

function hostApi(p: HostParts): DynamicHost {
  const { client, acceptSecrets } = p;
  // The provider plugin's own resource types carry no serialized provider.
  const withProvider = (props: PropertyMap): PropertyMap =>
    p.providerValue === undefined || PROVIDER_KEY in props
      ? props
      : { ...props, [PROVIDER_KEY]: p.providerValue };
  /** Engine values → Struct; `olds` of a first check are empty and stay empty. */
  const struct = (props: PropertyMap, preview = false, addProvider = true) =>
    Struct.fromJavaScript(
      marshalProperties(addProvider ? withProvider(props) : props, {
        keepSecrets: acceptSecrets,
        keepUnknowns: preview,
      }) as Record<string, never>,
    );
  /** Struct → engine values, secrets re-marked from `ins`, without `__provider`. */
  const values = (s: Struct | undefined, ins: PropertyMap, preview = false): PropertyMap => {
    const out = unmarshalProperties(s?.toJavaScript() ?? {}, preview);
    if (!acceptSecrets) annotateSecrets(out, withProvider(ins));
    delete out[PROVIDER_KEY];
    return out;
  };
  const named = <T extends { setUrn(v: string): T; setName(v: string): T; setType(v: string): T }>(req: T) =>
    req.setUrn(p.urn).setName(p.name).setType(p.type);

  return {
    pid: p.host.pid,
    urn: p.urn,
    version: p.version,
    acceptSecrets,
    output: () => p.host.output(),
    async check(olds, news, options = {}) {
      const preview = options.preview ?? false;
      const req = named(new proto.CheckRequest())
        .setOlds(struct(olds, preview, Object.keys(olds).length > 0))
        .setNews(struct(news, preview))
        .setRandomseed(randomBytes(32));
      const res = await unary<proto.CheckResponse>('Check', (cb) => client.check(req, cb));
      const failures = res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
      return { inputs: values(res.getInputs(), news, preview), failures };
    },
    async diff(id, olds, news, options = {}) {
      const preview = options.preview ?? false;
      const req = named(new proto.DiffRequest())
        .setId(id)
        .setOldInputs(struct(options.oldInputs ?? olds, preview))
        .setOlds(struct(olds, preview))
        .setNews(struct(news, preview));
      const res = await unary<proto.DiffResponse>('Diff', (cb) => client.diff(req, cb));
      const changes = res.getChanges();
      const { DIFF_SOME, DIFF_NONE } = proto.DiffResponse.DiffChanges;
      return {
        changes: changes === DIFF_SOME ? true : changes === DIFF_NONE ? false : undefined,
        replaces: res.getReplacesList(),
        stables: res.getStablesList(),
        diffs: res.getDiffsList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(props) {
      const req = named(new proto.CreateRequest()).setProperties(struct(props));
      const res = await unary<proto.CreateResponse>('Create', (cb) => client.create(req, cb));
      return { id: res.getId(), outs: values(res.getProperties(), props) };
    },
    async read(id, props, inputs) {
      const req = named(new proto.ReadRequest()).setId(id).setProperties(struct(props));
      if (inputs) req.setInputs(struct(inputs));
      const res = await unary<proto.ReadResponse>('Read', (cb) => client.read(req, cb));
      const read = { id: res.getId(), props: values(res.getProperties(), props) };
      return res.hasInputs() ? { ...read, inputs: values(res.getInputs(), inputs ?? {}) } : read;
    },
    async update(id, olds, news, oldInputs) {
      const req = named(new proto.UpdateRequest())
        .setId(id)
        .setOlds(struct(olds))
        .setNews(struct(news))
        .setOldInputs(struct(oldInputs ?? olds));
      const res = await unary<proto.UpdateResponse>('Update', (cb) => client.update(req, cb));
      return { outs: values(res.getProperties(), news) };
    },
    async delete(id, props, oldInputs) {
      const req = named(new proto.DeleteRequest())
        .setId(id)
        .setProperties(struct(props))
        .setOldInputs(struct(oldInputs ?? props));
      await unary<Empty>('Delete', (cb) => client.delete(req, cb));
    },
    async stop() {
      client.close();
      await p.host.stop();
    },
  };
}
