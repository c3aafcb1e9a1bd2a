/**
 * Pulumi mocks that record every registered resource, with its raw (serialized) inputs so tests
 * can see which values were marked secret. Unhandled rejections (a failed serialization, a
 * throwing apply) fail the test instead of vanishing.
 */
import * as pulumi from '@pulumi/pulumi';

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The inputs as sent to the engine: secrets carry Pulumi's secret signature. */
  raw: Record<string, unknown>;
  urn: string;
  /** The provider reference (`urn::id`) the resource was registered with, if any. */
  provider?: string;
  /** The resource options the engine got: deleteBeforeReplace, and the URNs it depends on. */
  options: { deleteBeforeReplace: boolean; dependencies: string[] };
}

const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

export function isSecretValue(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Record<string, unknown>)['4dabf18193072939515e22adb298388d'] === SECRET_SIG
  );
}

/** The value with every secret wrapper replaced by the value it wraps. */
export function unwrapSecrets<T>(value: T): T {
  if (isSecretValue(value)) return unwrapSecrets((value as Record<string, unknown>).value) as T;
  if (Array.isArray(value)) return value.map((v) => unwrapSecrets(v)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)])) as T;
  return value;
}

const rejections: unknown[] = [];
process.on('unhandledRejection', (e) => rejections.push(e));

export function setupMocks(
  options: {
    preview?: boolean;
    stack?: string;
    /** What a read (`X.get(name, id)`) finds, by id: the state the mock returns. */
    reads?: Record<string, Record<string, unknown>>;
  } = {},
): { resources: Registered[] } {
  const resources: Registered[] = [];
  const pending = new Map<string, Record<string, unknown>>();
  // Patch the mock monitor once per process to capture serialized inputs (secrets intact).
  const mocksModule = require('@pulumi/pulumi/runtime/mocks') as {
    MockMonitor: { prototype: Record<string, unknown> };
  };
  type RegisterRequest = {
    getType(): string;
    getName(): string;
    getObject(): { toJavaScript(): Record<string, unknown> };
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
  };
  const proto = mocksModule.MockMonitor.prototype as {
    registerResource: (req: RegisterRequest, cb: unknown) => unknown;
    __patched?: boolean;
  };
  if (!proto.__patched) {
    const original = proto.registerResource;
    proto.registerResource = function (this: unknown, req: RegisterRequest, cb: unknown) {
      currentRaw.set(`${req.getType()}::${req.getName()}`, req.getObject().toJavaScript());
      currentOptions.set(`${req.getType()}::${req.getName()}`, {
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: req.getDependenciesList(),
      });
      return original.call(this, req, cb);
    };
    proto.__patched = true;
  }
  currentRaw = pending;
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const raw = pending.get(`${args.type}::${args.name}`) ?? {};
        const id = args.custom ? `${args.name}-id` : undefined;
        resources.push({
          type: args.type,
          name: args.name,
          inputs: unwrapSecrets(args.inputs),
          raw,
          urn: '',
          ...(args.provider ? { provider: args.provider } : {}),
          options: currentOptions.get(`${args.type}::${args.name}`) ?? {
            deleteBeforeReplace: false,
            dependencies: [],
          },
        });
        // Dynamic resources get plausible outputs so dependents resolve.
        const state = {
          ...args.inputs,
          ...(args.id ? options.reads?.[args.id] : {}),
          ...(args.type.startsWith('pulumi-nodejs:dynamic') ? fakeDynamicOutputs(args) : {}),
          ...fakeAwsOutputs(args),
        };
        return { id, state };
      },
      call: () => ({}),
    },
    'pgcluster-test',
    options.stack ?? 'test',
    options.preview ?? false,
  );
  return { resources };
}

let currentRaw = new Map<string, Record<string, unknown>>();
const currentOptions = new Map<string, Registered['options']>();

function fakeDynamicOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (args.type.endsWith(':GeneratedPassword')) return { value: `pw-${args.name}` };
  if (args.type.endsWith(':ClusterCertificates'))
    return Object.fromEntries(
      ['caCert', 'caKey', 'serverCert', 'serverKey', 'clientCert', 'clientKey'].map((k) => [
        k,
        `${k}-of-${args.name}`,
      ]),
    );
  if (args.type.endsWith(':TlsCertificates'))
    return {
      ...Object.fromEntries(
        ['caCert', 'caKey', 'serverCert', 'serverKey'].map((k) => [k, `${k}-of-${args.name}`]),
      ),
      ...Object.fromEntries(
        (['clientCerts', 'clientKeys'] as const).map((k) => [
          k,
          Object.fromEntries(
            (args.inputs.clients as string[]).map((cn) => [cn, `${k}-${cn}-of-${args.name}`]),
          ),
        ]),
      ),
      serverNotAfter: '2027-12-01T00:00:00.000Z',
    };
  if (args.type.endsWith(':MemberStorage'))
    return {
      applied: { size: args.inputs.size, ...(args.inputs.walSize ? { walSize: args.inputs.walSize } : {}) },
    };
  if (args.type.endsWith(':ClusterReady'))
    return { primary: `${(args.inputs.spec as { name: string }).name}-1` };
  return {};
}

/** What the AWS provider computes (names, ARNs, keys), plausibly. */
function fakeAwsOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const i = args.inputs as Record<string, string | undefined>;
  switch (args.type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = i.bucket ?? `${i.bucketPrefix ?? ''}0123456789`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case 'aws:iam/policy:Policy':
      return { arn: `arn:aws:iam::123456789012:policy/${args.name}` };
    case 'aws:iam/role:Role':
      return { name: args.name, arn: `arn:aws:iam::123456789012:role/${args.name}` };
    case 'aws:iam/user:User':
      return { name: args.name, arn: `arn:aws:iam::123456789012:user/pgcluster/${args.name}` };
    case 'aws:iam/accessKey:AccessKey':
      return { secret: `secret-of-${args.name}` };
    default:
      return {};
  }
}

/** Resolves an Output's value (test only). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until no new resource registers for a while, then fails on any unhandled rejection. */
export async function settle(resources: Registered[], quietMs = 100): Promise<void> {
  let count = -1;
  while (count !== resources.length) {
    count = resources.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
  if (rejections.length > 0) throw rejections.splice(0)[0];
}
