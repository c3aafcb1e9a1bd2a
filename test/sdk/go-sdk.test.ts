/**
 * The generated Go SDK (sdk/go): `go vet ./...` compiles it with the go.mod/go.sum checked in next to
 * it, and a program in a temp module (replace => sdk/go) that uses every type of schema.json compiles,
 * declares every property (the `pulumi:"..."` tags, by reflection) and, under the Go SDK's mocks,
 * registers a pgcluster:index:PostgresCluster with the inputs it was given. `scripts/gen-sdk.sh
 * --check` names the file of an edited copy. Modules come from the module cache or the proxy, pinned
 * by sdk/go/go.sum; nothing in the checkout is written (-mod=readonly). Cold (empty build cache) the
 * Pulumi Go SDK takes ~2 min to compile on 2 cores.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SDK_DIR,
  assertDemoRegistered,
  genSdkCheck,
  goBinary,
  goEnv,
  pulumiNames,
  runOk,
  sdkExpectations,
  type Registered,
  type SdkExpectations,
} from './support/sdk';

const GO_SDK = join(SDK_DIR, 'go');
const SLOW = { timeout: 15 * 60_000 };

/** A main package that uses every type the schema names, so it compiles only against a complete SDK. */
function probeSource(sdkModule: string, expected: SdkExpectations): string {
  const entries = (names: string[], expr: (name: string) => string) =>
    names.map((name) => `\t\t\t${JSON.stringify(name)}: ${expr(name)},`).join('\n');
  return `// Probe of the generated Go SDK: what it declares and what it registers under mocks.
package main

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"

	"${sdkModule}/pgcluster"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// tags maps a generated struct's Go fields to their Pulumi property names.
func tags(t reflect.Type) map[string]string {
	out := map[string]string{}
	for i := 0; i < t.NumField(); i++ {
		if name, ok := t.Field(i).Tag.Lookup("pulumi"); ok {
			out[t.Field(i).Name] = strings.Split(name, ",")[0]
		}
	}
	return out
}

type mocks struct{ registered *[]map[string]any }

func (m mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	*m.registered = append(*m.registered, map[string]any{
		"type": args.TypeToken, "name": args.Name, "inputs": args.Inputs.Mappable(),
	})
	outputs := args.Inputs.Copy()
	outputs["primary"] = resource.NewStringProperty(args.Name + "-1")
	return args.Name + "-id", outputs, nil
}

func (mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

${Object.keys(expected.enums)
  .map((name) => `var _ pgcluster.${name}`)
  .join('\n')}

func main() {
	report := map[string]any{
		"resource": map[string]any{
			"args":    tags(pgcluster.PostgresClusterArgs{}.ElementType()),
			"outputs": tags(reflect.TypeOf(pgcluster.PostgresCluster{})),
		},
		"inputTypes": map[string]any{
${entries(Object.keys(expected.inputTypes), (t) => `tags(pgcluster.${t}Args{}.ElementType())`)}
		},
		"outputTypes": map[string]any{
${entries(Object.keys(expected.outputTypes), (t) => `tags(reflect.TypeOf(pgcluster.${t}{}))`)}
		},
		"customResources": map[string]any{
${entries(Object.keys(expected.customResources), (r) => `map[string]any{"args": tags(pgcluster.${r}Args{}.ElementType()), "outputs": tags(reflect.TypeOf(pgcluster.${r}{}))}`)}
		},
	}
	registered := []map[string]any{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		cluster, err := pgcluster.NewPostgresCluster(ctx, "demo", &pgcluster.PostgresClusterArgs{
			Instances: pulumi.Int(3),
			Synchronous: &pgcluster.SynchronousArgs{
				Number:         pulumi.Int(1),
				DataDurability: pgcluster.SynchronousDataDurabilityRequired,
			},
			Platform: &pgcluster.PlatformArgs{Local: &pgcluster.PlatformLocalArgs{BasePort: pulumi.Int(22500)}},
		})
		if err != nil {
			return err
		}
		cluster.Primary.ApplyT(func(primary string) string { report["primary"] = primary; return primary })
		return nil
	}, pulumi.WithMocks("sdk-test", "dev", mocks{&registered}))
	if err != nil {
		panic(err)
	}
	report["registered"] = registered
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		panic(err)
	}
}
`;
}

interface Declared {
  resource: { args: Record<string, string>; outputs: Record<string, string> };
  inputTypes: Record<string, Record<string, string>>;
  outputTypes: Record<string, Record<string, string>>;
  customResources: Record<string, { args: Record<string, string>; outputs: Record<string, string> }>;
  primary?: string;
  registered: Registered[];
}

describe('the Go SDK (sdk/go)', () => {
  let go: string;
  let work: string;
  let expected: SdkExpectations;

  before(() => {
    go = goBinary();
    expected = sdkExpectations();
    work = mkdtempSync(join(tmpdir(), 'pgc-go-sdk-'));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test(
    'GIVEN sdk/go with its go.mod and go.sum WHEN go vet ./... THEN it compiles and vet is clean',
    SLOW,
    async () => {
      await runOk(go, ['vet', './...'], { cwd: GO_SDK, env: goEnv() });
    },
  );

  test(
    'GIVEN a program using every schema type WHEN built against sdk/go and run under mocks THEN it declares every property and registers the component with its inputs',
    SLOW,
    async () => {
      const goMod = readFileSync(join(GO_SDK, 'go.mod'), 'utf8');
      const sdkModule = /^module\s+(\S+)$/m.exec(goMod)?.[1];
      assert.ok(sdkModule, 'sdk/go/go.mod has no module line');
      const probe = join(work, 'probe');
      cpSync(join(GO_SDK, 'go.sum'), join(probe, 'go.sum'));
      writeFileSync(
        join(probe, 'go.mod'),
        goMod.replace(/^module\s+\S+$/m, 'module pgcluster.local/sdk-go-probe') +
          `\nrequire ${sdkModule} v0.0.0\n\nreplace ${sdkModule} => ${GO_SDK}\n`,
      );
      writeFileSync(join(probe, 'main.go'), probeSource(sdkModule, expected));
      const declared = JSON.parse(await runOk(go, ['run', '.'], { cwd: probe, env: goEnv() })) as Declared;

      assert.deepEqual(pulumiNames(declared.resource.args), expected.resource.inputs, 'PostgresClusterArgs');
      assert.deepEqual(pulumiNames(declared.resource.outputs), expected.resource.outputs, 'PostgresCluster');
      for (const [type, properties] of Object.entries(expected.inputTypes))
        assert.deepEqual(pulumiNames(declared.inputTypes[type]), properties, `${type}Args`);
      for (const [type, properties] of Object.entries(expected.outputTypes))
        assert.deepEqual(pulumiNames(declared.outputTypes[type]), properties, type);
      assert.deepEqual(Object.keys(declared.customResources).sort(), [
        'Backup',
        'ClientCertificate',
        'Database',
        'Grant',
        'Role',
      ]);
      for (const [name, want] of Object.entries(expected.customResources)) {
        assert.deepEqual(pulumiNames(declared.customResources[name]!.args), want.inputs, `${name}Args`);
        assert.deepEqual(pulumiNames(declared.customResources[name]!.outputs), want.outputs, name);
      }

      assertDemoRegistered(declared.registered, declared.primary, expected);
    },
  );

  test(
    'GIVEN a copy of sdk/ with a Go field renamed WHEN gen-sdk --check runs THEN it fails naming the file',
    SLOW,
    async () => {
      const copy = join(work, 'sdk-copy');
      cpSync(SDK_DIR, copy, { recursive: true });
      const file = join(copy, 'go', 'pgcluster', 'postgresCluster.go');
      const text = readFileSync(file, 'utf8');
      assert.match(text, /\tInstances pulumi\.IntPtrInput/);
      writeFileSync(file, text.replace(/\tInstances pulumi\.IntPtrInput/, '\tReplicas pulumi.IntPtrInput'));
      const stale = await genSdkCheck(copy);
      assert.equal(stale.code, 1, stale.stdout + stale.stderr);
      assert.match(stale.stderr, /postgresCluster\.go/);
    },
  );
});
