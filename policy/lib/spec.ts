/**
 * The cluster spec as a policy sees it. A local ComponentResource registers with no inputs, so
 * PostgresCluster's args never reach the engine; the full validated spec (defaults filled in) is
 * the `spec` input of the cluster's dynamic child: LocalCluster (local platform) or ClusterReady
 * (kubernetes platform). Policies read that spec; this file finds it and types the keys they read.
 */
import type { PolicyResource, ResourceValidationArgs } from '@pulumi/policy';

/** Type tokens of the dynamic children that carry a cluster's spec (see provider/naming.ts TYPES). */
export const SPEC_CARRIER_TYPES = [
  'pulumi-nodejs:dynamic/pgcluster:LocalCluster',
  'pulumi-nodejs:dynamic/pgcluster:ClusterReady',
] as const;

/** Type token of the component itself (a parent in every child's URN). */
export const POSTGRES_CLUSTER_TYPE = 'pgcluster:index:PostgresCluster';

/**
 * The keys of the validated spec the policies read. A test proves the package's ClusterSpec is
 * assignable to it, so a renamed or retyped key breaks the build instead of silencing a policy.
 * `backup` is declared by the spec but not supported yet: its shape is read defensively.
 */
export interface ClusterSpecView {
  name: string;
  instances: number;
  platform: { local?: unknown; kubernetes?: { namespace: string } };
  synchronous?: { number: number; dataDurability: 'required' | 'preferred'; method?: 'first' | 'any' };
  pooler: { enabled: boolean };
  roles: ReadonlyArray<{ name: string; ensure: 'present' | 'absent'; superuser: boolean }>;
  backup?: unknown;
}

/** What a policy knows about one cluster: its spec and where it came from. */
export interface ClusterSpecSource {
  spec: ClusterSpecView;
  /** URN of the dynamic resource that carries the spec. */
  urn: string;
}

type ResourceLike = Pick<PolicyResource | ResourceValidationArgs, 'type' | 'props' | 'urn'>;

export function carriesSpec(type: string): boolean {
  return (SPEC_CARRIER_TYPES as readonly string[]).includes(type);
}

/** The cluster spec a resource carries, or undefined for any other resource. */
export function specOf(resource: ResourceLike): ClusterSpecSource | undefined {
  if (!carriesSpec(resource.type)) return undefined;
  const spec = resource.props.spec as ClusterSpecView | undefined;
  if (spec === undefined || spec === null || typeof spec !== 'object') return undefined;
  return { spec, urn: resource.urn };
}

/** Every cluster spec among a stack's resources. */
export function specsOf(resources: readonly ResourceLike[]): ClusterSpecSource[] {
  return resources.flatMap((r) => {
    const found = specOf(r);
    return found ? [found] : [];
  });
}

/** How messages name a cluster. */
export function clusterLabel(spec: Pick<ClusterSpecView, 'name'>): string {
  return `PostgresCluster ${spec.name}`;
}
