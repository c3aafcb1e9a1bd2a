/**
 * The generated Python SDK (sdk/python): it installs from its setup.py, imports with the `pulumi`
 * Python package of our engine version, declares every property of schema.json (resource inputs and
 * outputs, input and output types, enum values), and a program under Pulumi's Python mocks registers
 * a pgcluster:index:PostgresCluster with the inputs it was given. `scripts/gen-sdk.sh --check` passes
 * for the checked-in SDK and names the file of an edited one.
 * Runs in the venv of scripts/python-sdk-venv.sh (cold ~25 s with PyPI), on a copy of sdk/python, with
 * no bytecode written, so the checkout is never modified.
 *
 * Not here, because it cannot run: a Python program through the engine and the provider plugin needs
 * the Python language host, which the Go module proxy does not serve (docs/sdks.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli';
import {
  PULUMI_VERSION,
  assertDemoRegistered,
  SDK_DIR,
  genSdkCheck,
  pulumiNames,
  runOk,
  sdkExpectations,
  type Registered,
  type SdkExpectations,
} from './support/sdk';

/** Python attribute -> Pulumi name maps of what the SDK declares, and what it registers under mocks. */
const PROBE = String.raw`
import inspect, json, os
from importlib import metadata
from packaging.requirements import Requirement
import pulumi

expected = json.loads(os.environ["PGCLUSTER_SDK_EXPECTED"])
registered = []

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        return [args.name + "-id", {**args.inputs, "primary": args.name + "-1"}]
    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), project="sdk-test", stack="dev", preview=False)
import pulumi_pgcluster as pgcluster

def names(cls):
    return {a: getattr(v.fget, "_pulumi_name", a) for a, v in vars(cls).items() if isinstance(v, property)}

def unmet_requirements(dist):
    unmet = []
    for text in metadata.requires(dist) or []:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            unmet.append(text + ": not installed")
            continue
        if not req.specifier.contains(version, prereleases=True):
            unmet.append(text + ": " + version + " installed")
    return unmet

report = {
    "pulumiVersion": metadata.version("pulumi"),
    "unmetRequirements": unmet_requirements("pulumi_pgcluster"),
    "resource": {
        "args": names(pgcluster.PostgresClusterArgs),
        "init": [p for p in inspect.signature(pgcluster.PostgresClusterArgs.__init__).parameters if p != "__self__"],
        "outputs": names(pgcluster.PostgresCluster),
    },
    "inputTypes": {t: names(getattr(pgcluster, t + "Args")) for t in expected["inputTypes"] if hasattr(pgcluster, t + "Args")},
    "outputTypes": {t: names(getattr(pgcluster.outputs, t)) for t in expected["outputTypes"] if hasattr(pgcluster.outputs, t)},
    "enums": {t: [m.value for m in getattr(pgcluster, t)] for t in expected["enums"] if hasattr(pgcluster, t)},
    "customResources": {r: {"args": names(getattr(pgcluster, r + "Args")), "outputs": names(getattr(pgcluster, r))}
                        for r in expected["customResources"] if hasattr(pgcluster, r)},
}

@pulumi.runtime.test
def create_cluster():
    cluster = pgcluster.PostgresCluster("demo", pgcluster.PostgresClusterArgs(
        instances=3,
        synchronous=pgcluster.SynchronousArgs(number=1, data_durability=pgcluster.SynchronousDataDurability.REQUIRED),
        platform=pgcluster.PlatformArgs(local=pgcluster.PlatformLocalArgs(base_port=22500)),
    ))
    return cluster.primary.apply(lambda primary: report.update(primary=primary))

create_cluster()
report["registered"] = registered
print(json.dumps(report))
`;

interface Declared {
  pulumiVersion: string;
  unmetRequirements: string[];
  resource: { args: Record<string, string>; init: string[]; outputs: Record<string, string> };
  inputTypes: Record<string, Record<string, string>>;
  customResources: Record<string, { args: Record<string, string>; outputs: Record<string, string> }>;
  outputTypes: Record<string, Record<string, string>>;
  enums: Record<string, unknown[]>;
  primary?: string;
  registered: Registered[];
}

describe('the Python SDK (sdk/python)', () => {
  let work: string;
  let python: string;
  let env: NodeJS.ProcessEnv;
  let expected: SdkExpectations;
  let declared: Declared;

  before(async () => {
    expected = sdkExpectations();
    work = mkdtempSync(join(tmpdir(), 'pgc-python-sdk-'));
    const venv = (await runOk('bash', [join(ROOT, 'scripts', 'python-sdk-venv.sh')])).trim();
    python = join(venv, 'bin', 'python');
    env = {
      ...process.env,
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: join(work, 'site'),
      PYTHONNOUSERSITE: '1',
    };
    // setup.py builds in its source tree: install from a copy.
    cpSync(join(SDK_DIR, 'python'), join(work, 'src'), { recursive: true });
    await runOk(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '--no-deps',
        '--no-index',
        '--no-build-isolation',
        '--target',
        join(work, 'site'),
        join(work, 'src'),
      ],
      { env },
    );
    const probeEnv = { ...env, PGCLUSTER_SDK_EXPECTED: JSON.stringify(expected) };
    declared = JSON.parse(await runOk(python, ['-c', PROBE], { cwd: work, env: probeEnv }));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test(`GIVEN the venv WHEN the SDK is installed THEN it runs on pulumi ${PULUMI_VERSION} with every requirement of its setup.py met`, () => {
    assert.equal(declared.pulumiVersion, PULUMI_VERSION);
    assert.deepEqual(declared.unmetRequirements, []);
  });

  test('GIVEN schema.json WHEN pulumi_pgcluster is imported THEN PostgresClusterArgs takes every input property and PostgresCluster has every output', () => {
    assert.deepEqual(pulumiNames(declared.resource.args), expected.resource.inputs);
    assert.deepEqual([...declared.resource.init].sort(), Object.keys(declared.resource.args).sort());
    assert.deepEqual(pulumiNames(declared.resource.outputs), expected.resource.outputs);
    for (const property of ['instances', 'synchronous', 'platform'])
      assert.ok(expected.resource.inputs.includes(property), `schema.json has no input ${property}`);
  });

  test('GIVEN schema.json WHEN pulumi_pgcluster is imported THEN every input type is an <Type>Args class, every output type a class, each with all its properties', () => {
    assert.deepEqual(Object.keys(declared.inputTypes), Object.keys(expected.inputTypes), 'input types');
    for (const [type, properties] of Object.entries(expected.inputTypes))
      assert.deepEqual(pulumiNames(declared.inputTypes[type]), properties, `${type}Args`);
    assert.deepEqual(Object.keys(declared.outputTypes), Object.keys(expected.outputTypes), 'output types');
    for (const [type, properties] of Object.entries(expected.outputTypes))
      assert.deepEqual(pulumiNames(declared.outputTypes[type]), properties, type);
  });

  test('GIVEN schema.json WHEN pulumi_pgcluster is imported THEN Role, Database, Grant, Backup and ClientCertificate are resources with every input and output', () => {
    assert.deepEqual(Object.keys(declared.customResources).sort(), [
      'Backup',
      'ClientCertificate',
      'Database',
      'Grant',
      'Role',
    ]);
    for (const [name, want] of Object.entries(expected.customResources)) {
      const got = declared.customResources[name]!;
      assert.deepEqual(pulumiNames(got.args), want.inputs, `${name}Args`);
      assert.deepEqual(pulumiNames(got.outputs), want.outputs, name);
    }
  });

  test('GIVEN schema.json WHEN pulumi_pgcluster is imported THEN every enum has the schema values', () => {
    assert.deepEqual(declared.enums, expected.enums);
  });

  test('GIVEN Pulumi mocks WHEN a program creates PostgresCluster("demo", instances=3, synchronous, local platform) THEN the component is registered with those inputs in schema names', () => {
    assertDemoRegistered(declared.registered, declared.primary, expected);
  });

  test('GIVEN the checked-in SDK WHEN gen-sdk --check runs THEN it passes; GIVEN a copy with a property renamed THEN it fails naming the file', async () => {
    const copy = join(work, 'sdk-copy');
    cpSync(SDK_DIR, copy, { recursive: true });
    const clean = await genSdkCheck(copy);
    assert.equal(clean.code, 0, clean.stderr);
    const file = join(copy, 'python', 'pulumi_pgcluster', 'postgres_cluster.py');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /def synchronous\(self\)/);
    writeFileSync(file, text.replace(/def synchronous\(self\)/g, 'def synchronous_renamed(self)'));
    const stale = await genSdkCheck(copy);
    assert.equal(stale.code, 1, stale.stdout + stale.stderr);
    assert.match(stale.stderr, /postgres_cluster\.py/);
    assert.match(stale.stderr, /sdk\/ is stale/);
  });
});
