/**
 * The policy pack as the engine meets it, without the engine: policy/ started the way the
 * `pulumi-analyzer-policy` launcher starts it (node on @pulumi/pulumi's run-policy-pack resolved
 * from the pack's directory, cwd = the pack; ts-node type-checks the pack), its port read from stdout,
 * then GetAnalyzerInfo, Configure, Analyze and AnalyzeStack over gRPC with captured inputs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AnalyzerClient } from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerResource,
  AnalyzerResourceOptions,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from '@pulumi/pulumi/proto/analyzer_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { startPluginProcess, type PluginProcess } from '../helpers/plugin-process';
import { unary } from '../helpers/grpc-call';
import { unknownValues, urnOf, type FakeResource } from '../helpers/policy-args';
import { captureCluster } from '../helpers/policy-capture';

const { unknownObjectValue } = unknownValues;

const PACK = resolve(__dirname, '..', '..', 'policy');
// Resolved from the pack's directory, as the launcher does: the repo's node_modules above it.
const RUN_POLICY_PACK = require.resolve('@pulumi/pulumi/cmd/run-policy-pack', { paths: [PACK] });

const NON_COMPLIANT = {
  instances: 2,
  platform: { kubernetes: { namespace: 'db' } },
  pooler: { enabled: false },
  roles: [{ name: 'dba', login: true, superuser: true }],
};

function analyzeRequest(r: FakeResource): AnalyzeRequest {
  return new AnalyzeRequest()
    .setType(r.type)
    .setName(r.name)
    .setUrn(urnOf(r))
    .setProperties(Struct.fromJavaScript(r.props as Record<string, never>))
    .setOptions(new AnalyzerResourceOptions());
}

function stackResource(r: FakeResource): AnalyzerResource {
  return new AnalyzerResource()
    .setType(r.type)
    .setName(r.name)
    .setUrn(urnOf(r))
    .setProperties(Struct.fromJavaScript(r.props as Record<string, never>))
    .setOptions(new AnalyzerResourceOptions());
}

type Diagnostic = { policy: string; level: string; message: string };

function diagnostics(response: AnalyzeResponse): Diagnostic[] {
  const level = (l: number) => Object.entries(EnforcementLevel).find(([, v]) => v === l)?.[0] ?? String(l);
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: level(d.getEnforcementlevel()),
    message: d.getMessage(),
  }));
}

describe('the policy pack process over gRPC', () => {
  let pack: PluginProcess | undefined;
  let client: AnalyzerClient | undefined;
  let captured: FakeResource[] = [];

  before(async () => {
    captured = await captureCluster(NON_COMPLIANT, { stack: 'prod' });
    // The engine address is only used for logging; nothing listens there.
    pack = await startPluginProcess(process.execPath, [RUN_POLICY_PACK, '127.0.0.1:1', '.'], {
      cwd: PACK,
      timeoutMs: 180_000,
    });
    client = new AnalyzerClient(pack.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await pack?.stop();
  });

  const analyze = (r: FakeResource) =>
    unary<AnalyzeResponse>('Analyze', (cb) => client!.analyze(analyzeRequest(r), cb)).then(diagnostics);
  const ready = () => captured.find((r) => r.type.endsWith(':ClusterReady')) as FakeResource;
  const role = () => captured.find((r) => r.type === 'pulumi-nodejs:dynamic/pgcluster:Role') as FakeResource;

  test('GIVEN the pack WHEN GetAnalyzerInfo is called THEN it is pgcluster 0.1.0 with every policy and its level', async () => {
    const info = await unary<AnalyzerInfo>('GetAnalyzerInfo', (cb) =>
      client!.getAnalyzerInfo(new Empty(), cb),
    );
    assert.equal(info.getName(), 'pgcluster');
    assert.equal(info.getVersion(), '0.1.0');
    const levels = Object.fromEntries(
      info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
    );
    assert.deepEqual(levels, {
      'pgcluster-production-ha': EnforcementLevel.MANDATORY,
      'pgcluster-backup-retention': EnforcementLevel.MANDATORY,
      'pgcluster-backup-required': EnforcementLevel.ADVISORY,
      'pgcluster-no-superuser-roles': EnforcementLevel.MANDATORY,
      'pgcluster-pooler-enabled': EnforcementLevel.MANDATORY,
      'pgcluster-kubernetes-resources': EnforcementLevel.MANDATORY,
      'pgcluster-pod-disruption-budget': EnforcementLevel.MANDATORY,
      'pgcluster-archive-bucket': EnforcementLevel.MANDATORY,
    });
  });

  test('GIVEN a non-compliant cluster in stack prod WHEN its ClusterReady spec is analyzed THEN each rule reports, at its level', async () => {
    const found = await analyze(ready());
    assert.deepEqual(
      found.map((d) => `${d.level} ${d.policy}`),
      [
        'MANDATORY pgcluster-production-ha',
        'MANDATORY pgcluster-production-ha',
        'ADVISORY pgcluster-backup-required',
        'MANDATORY pgcluster-pooler-enabled',
      ],
    );
    // The superuser role is its own Role resource: that is where the policy reports it.
    const dba = await analyze(role());
    assert.deepEqual(
      dba.map((d) => `${d.level} ${d.policy}`),
      ['MANDATORY pgcluster-no-superuser-roles'],
    );
    assert.match(dba[0]?.message ?? '', /\nrole "dba": superuser is true; required: false/);
    assert.match(
      found[0]?.message ?? '',
      /PostgresCluster orders in production stack prod: instances is 2; required: at least 3/,
    );
  });

  test('GIVEN its StatefulSet WHEN analyzed THEN the missing resources are reported', async () => {
    const sts = captured.find((r) => r.type === 'kubernetes:apps/v1:StatefulSet') as FakeResource;
    const found = await analyze(sts);
    assert.deepEqual(
      found.map((d) => d.policy),
      Array(3).fill('pgcluster-kubernetes-resources'),
    );
  });

  test('GIVEN the stack without its PodDisruptionBudget WHEN AnalyzeStack runs THEN the PDB policy reports', async () => {
    const request = new AnalyzeStackRequest().setResourcesList(
      captured.filter((r) => !r.type.endsWith(':PodDisruptionBudget')).map(stackResource),
    );
    const found = diagnostics(
      await unary<AnalyzeResponse>('AnalyzeStack', (cb) => client!.analyzeStack(request, cb)),
    );
    assert.deepEqual(
      found.map((d) => d.policy),
      ['pgcluster-pod-disruption-budget'],
    );
  });

  test('GIVEN a spec unknown in preview WHEN analyzed THEN the SDK says the policies cannot run yet, as advisories', async () => {
    const found = await analyze({ ...ready(), props: { spec: unknownObjectValue } });
    assert.ok(found.length > 0);
    for (const d of found) {
      assert.equal(d.level, 'ADVISORY');
      assert.match(
        d.message,
        /can't run policy .* during preview: Object value at \.spec can't be known during preview/,
      );
    }
  });

  test('GIVEN productionStacks ["live-*"] configured WHEN the same spec is analyzed in stack prod THEN production HA no longer applies', async () => {
    const config = (properties: object, level = EnforcementLevel.MANDATORY) =>
      new PolicyConfig()
        .setEnforcementlevel(level)
        .setProperties(Struct.fromJavaScript(properties as Record<string, never>));
    const request = new ConfigureAnalyzerRequest();
    request.getPolicyconfigMap().set('pgcluster-production-ha', config({ productionStacks: ['live-*'] }));
    request.getPolicyconfigMap().set('pgcluster-backup-required', config({}, EnforcementLevel.DISABLED));
    await unary<Empty>('Configure', (cb) => client!.configure(request, cb));
    const found = [...(await analyze(ready())), ...(await analyze(role()))];
    assert.deepEqual(
      found.map((d) => d.policy),
      ['pgcluster-pooler-enabled', 'pgcluster-no-superuser-roles'],
    );
  });
});
