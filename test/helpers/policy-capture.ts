/**
 * Captured inputs for policy tests: a PostgresCluster (or a whole program) run under Pulumi mocks,
 * each registered resource turned into what a policy receives (type, name, URN with the component
 * as parent, inputs as props). The same inputs the engine hands the analyzer, minus provider
 * defaults.
 */
import { PostgresCluster } from '../../provider/pulumi/component';
import { settle, setupMocks, valueOf, type Registered } from './pulumi-mocks';
import type { FakeResource } from './policy-args';

const COMPONENT = 'pgcluster:index:PostgresCluster';

function asPolicyInput(r: Registered, stack: string): FakeResource {
  return {
    type: r.type,
    name: r.name,
    props: JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>,
    stack,
    project: 'pgcluster-test',
    ...(r.type === COMPONENT || r.type.startsWith('pulumi:providers:') ? {} : { parentType: COMPONENT }),
  };
}

export async function captureCluster(
  args: Record<string, unknown>,
  options: { name?: string; stack?: string } = {},
): Promise<FakeResource[]> {
  const stack = options.stack ?? 'dev';
  const { resources } = setupMocks({ stack });
  const cluster = new PostgresCluster(options.name ?? 'orders', args);
  await valueOf(cluster.urn);
  await settle(resources);
  return resources.map((r) => asPolicyInput(r, stack));
}

/** Runs a program module (e.g. a fixture's index.ts) under mocks in the given stack. */
export async function captureProgram(load: () => Promise<unknown>, stack: string): Promise<FakeResource[]> {
  const { resources } = setupMocks({ stack });
  await load();
  await settle(resources);
  return resources.map((r) => asPolicyInput(r, stack));
}
