/**
 * Drives a policy the way @pulumi/policy's analyzer does, without the engine: props go through
 * the SDK's own unknownCheckingProxy (so touching a value unknown in preview throws as it does
 * there), getConfig returns the policy's config, and reportViolation is a recorder.
 */
import {
  unknownCheckingProxy,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from '@pulumi/policy';

/** The sentinels that stand for values unknown in preview (internal to @pulumi/policy, untyped there). */
export const unknownValues = require('@pulumi/policy/proxy') as {
  unknownStringValue: string;
  unknownNumberValue: string;
  unknownObjectValue: string;
};

export interface Violation {
  message: string;
  urn?: string;
}

/** A resource as a policy sees it. `parentType` puts the parent's type in the URN like the engine. */
export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  stack?: string;
  project?: string;
  parentType?: string;
  /** Property name → URNs of the resources its value came from (stack policies). */
  propertyDependencies?: Record<string, string[]>;
}

export function urnOf(r: Pick<FakeResource, 'type' | 'name' | 'stack' | 'project' | 'parentType'>): string {
  const type = r.parentType ? `${r.parentType}$${r.type}` : r.type;
  return `urn:pulumi:${r.stack ?? 'dev'}::${r.project ?? 'app'}::${type}::${r.name}`;
}

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function notApplicable(reason?: string): never {
  throw new Error(`not applicable: ${reason}`);
}

export function resourceArgs(r: FakeResource, config: object = {}): ResourceValidationArgs {
  const props = unknownCheckingProxy(r.props) as Record<string, unknown>;
  return {
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export function stackArgs(resources: readonly FakeResource[], config: object = {}): StackValidationArgs {
  const converted: PolicyResource[] = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props: unknownCheckingProxy(r.props) as Record<string, unknown>,
    opts: OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const byUrn = new Map(converted.map((c) => [c.urn, c]));
  resources.forEach((r, i) => {
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {}))
      (converted[i] as PolicyResource).propertyDependencies[key] = urns
        .map((u) => byUrn.get(u))
        .filter((x): x is PolicyResource => x !== undefined);
  });
  return {
    resources: converted,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

/** Runs every validateResource of the policy on one resource; returns what it reported. */
export async function checkResource(
  policy: ResourceValidationPolicy,
  resource: FakeResource,
  config: object = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const validations = [policy.validateResource ?? []].flat();
  for (const validate of validations)
    await validate(resourceArgs(resource, config), (message, urn) => violations.push({ message, urn }));
  return violations;
}

/** Runs the policy on every resource (a whole program's resources, e.g. captured under mocks). */
export async function checkResources(
  policy: ResourceValidationPolicy,
  resources: readonly FakeResource[],
  config: object = {},
): Promise<Violation[]> {
  const all: Violation[] = [];
  for (const r of resources) all.push(...(await checkResource(policy, r, config)));
  return all;
}

export async function checkStack(
  policy: StackValidationPolicy,
  resources: readonly FakeResource[],
  config: object = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  await policy.validateStack(stackArgs(resources, config), (message, urn) =>
    violations.push({ message, urn }),
  );
  return violations;
}

export interface PackViolation extends Violation {
  policy: string;
  level: string;
}

/** Runs every policy of a pack on a program's resources, as the engine would (resource, then stack). */
export async function checkPack(
  pack: ReadonlyArray<ResourceValidationPolicy | StackValidationPolicy>,
  resources: readonly FakeResource[],
  config: Record<string, object> = {},
): Promise<PackViolation[]> {
  const found: PackViolation[] = [];
  for (const policy of pack) {
    const level = policy.enforcementLevel ?? 'advisory';
    const tag = (v: Violation) => ({ policy: policy.name, level, ...v });
    if ('validateStack' in policy)
      found.push(...(await checkStack(policy, resources, config[policy.name])).map(tag));
    else found.push(...(await checkResources(policy, resources, config[policy.name])).map(tag));
  }
  return found;
}
