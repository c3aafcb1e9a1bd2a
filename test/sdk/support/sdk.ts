/**
 * What the generated SDKs must declare, read from schema.json, and the tools the SDK tests run:
 * the resource's input and output properties, every object type reachable from them (inputs become
 * `<Type>Args` classes, outputs plain types) with its properties, and every enum with its values.
 * The tests compare each SDK's declarations with these, so a stale SDK or one missing a property fails.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli';

type Json = Record<string, unknown>;

export const RESOURCE_TOKEN = 'pgcluster:index:PostgresCluster';
/** The @pulumi/pulumi version the SDKs are generated with and run against. */
export const PULUMI_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'))
  .packages['node_modules/@pulumi/pulumi'].version;

export interface SdkExpectations {
  /** Schema property names of PostgresCluster's inputs and outputs, sorted; the inputs' defaults. */
  resource: { inputs: string[]; outputs: string[]; defaults: Record<string, unknown> };
  /** Object type name (token's last part) -> its schema property names, sorted. */
  inputTypes: Record<string, string[]>;
  outputTypes: Record<string, string[]>;
  /** Enum type name -> its values in schema order. */
  enums: Record<string, unknown[]>;
  /** The custom resources (Role, Database, ...): name -> schema property names of inputs and outputs, sorted. */
  customResources: Record<string, { inputs: string[]; outputs: string[] }>;
}

export function sdkExpectations(): SdkExpectations {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8')) as Json;
  const types = schema.types as Record<string, Json>;
  const resource = (schema.resources as Record<string, Json>)[RESOURCE_TOKEN];
  if (!resource) throw new Error(`schema.json has no resource ${RESOURCE_TOKEN}`);
  const inputs = resource.inputProperties as Record<string, Json>;
  const outputs = resource.properties as Record<string, Json>;
  const custom = Object.entries(schema.resources as Record<string, Json>).filter(
    ([token]) => token !== RESOURCE_TOKEN,
  );
  const enums: Record<string, unknown[]> = {};
  for (const [token, type] of Object.entries(types))
    if (Array.isArray(type.enum)) enums[shortName(token)] = type.enum.map((e: Json) => e.value);
  return {
    resource: {
      inputs: Object.keys(inputs).sort(),
      outputs: Object.keys(outputs).sort(),
      defaults: Object.fromEntries(
        Object.entries(inputs)
          .filter(([, property]) => property.default !== undefined)
          .map(([name, property]) => [name, property.default]),
      ),
    },
    inputTypes: reachableObjects(
      Object.assign({}, inputs, ...custom.map(([, r]) => r.inputProperties)),
      types,
    ),
    outputTypes: reachableObjects(Object.assign({}, outputs, ...custom.map(([, r]) => r.properties)), types),
    enums,
    customResources: Object.fromEntries(
      custom.map(([token, r]) => [
        shortName(token),
        {
          inputs: Object.keys(r.inputProperties as object).sort(),
          outputs: Object.keys(r.properties as object).sort(),
        },
      ]),
    ),
  };
}

/** The object types a set of properties refers to, directly or through other types. */
function reachableObjects(
  properties: Record<string, Json>,
  types: Record<string, Json>,
): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { $ref, items, additionalProperties, oneOf } = node as Json;
    const local = typeof $ref === 'string' ? /^#\/types\/(.+)$/.exec($ref) : null;
    if (local) {
      const type = types[local[1]!];
      const name = shortName(local[1]!);
      if (type?.type === 'object' && !found[name]) {
        const props = (type.properties ?? {}) as Record<string, Json>;
        found[name] = Object.keys(props).sort();
        Object.values(props).forEach(visit);
      }
    }
    [items, additionalProperties, ...(Array.isArray(oneOf) ? oneOf : [])].forEach(visit);
  };
  Object.values(properties).forEach(visit);
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}

const shortName = (token: string) => token.split(':').pop()!;

/** The values of a name -> Pulumi property name map, sorted, for comparison with the schema. */
export const pulumiNames = (declared: Record<string, string> | undefined) =>
  Object.values(declared ?? {}).sort();

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * The one PostgresCluster both probe programs create ("demo": instances 3, synchronous {number 1,
 * required}, local platform on port 22500) under mocks: it is registered as the component, with what
 * the program set under the schema's property names, the schema's top-level defaults for what it did
 * not set, and the mocked primary read back as an output.
 */
export function assertDemoRegistered(
  registered: Registered[],
  primary: string | undefined,
  expected: SdkExpectations,
) {
  assert.equal(registered.length, 1, JSON.stringify(registered));
  const [cluster] = registered;
  const inputs = cluster!.inputs as {
    instances?: unknown;
    synchronous?: Record<string, unknown>;
    platform?: { local?: Record<string, unknown> };
  };
  assert.equal(cluster!.type, RESOURCE_TOKEN);
  assert.equal(cluster!.name, 'demo');
  assert.equal(inputs.instances, 3);
  assert.equal(inputs.synchronous?.number, 1);
  assert.equal(inputs.synchronous?.dataDurability, 'required');
  assert.equal(inputs.platform?.local?.basePort, 22500);
  for (const [name, value] of Object.entries(expected.resource.defaults))
    if (name !== 'instances') assert.deepEqual(cluster!.inputs[name], value, `default of ${name}`);
  assert.equal(primary, 'demo-1');
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (no shell), capturing its output; never rejects on a non-zero exit. */
export function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((resolve, reject) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** An argument as an error message shows it: a program text passed inline is cut to its first line. */
const brief = (arg: string) => (arg.includes('\n') ? `'${arg.trim().split('\n')[0]} ...'` : arg);

/** Like run, but fails with the command's output unless it exits 0. */
export async function runOk(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0)
    throw new Error(
      `${file} ${args.map(brief).join(' ')} exited ${result.code}\n${result.stderr}\n${result.stdout}`,
    );
  return result.stdout;
}

/** The Go toolchain (GO, else go on PATH, else /usr/local/go/bin/go), or an error saying how to get one. */
export function goBinary(): string {
  const candidates = [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `no Go toolchain (tried ${candidates.join(', ')}): the SDK tests build Go; set GO or install Go`,
  );
}

/**
 * The environment for go commands: modules pinned by the checked-in go.sum files (never edited:
 * -mod=readonly), Pulumi's modules exempt from the checksum database as in tools/pulumi/wrapper.sh,
 * no toolchain download, no go.work.
 */
export function goEnv(): NodeJS.ProcessEnv {
  const flags = (process.env.GOFLAGS ?? '').split(/\s+/).filter((f) => f && !f.startsWith('-mod='));
  return {
    ...process.env,
    GOFLAGS: [...flags, '-mod=readonly'].join(' '),
    GONOSUMDB: [process.env.GONOSUMDB, 'github.com/pulumi/pulumi'].filter(Boolean).join(','),
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
  };
}

/** scripts/gen-sdk.sh --check against a copy of sdk/ (PGCLUSTER_SDK_DIR), so a test can edit the copy. */
export function genSdkCheck(sdkDir: string) {
  return run('bash', [join(ROOT, 'scripts', 'gen-sdk.sh'), '--check'], {
    cwd: ROOT,
    env: { ...process.env, PGCLUSTER_SDK_DIR: sdkDir },
  });
}

export const SDK_DIR = join(ROOT, 'sdk');
