/**
 * A node drain never takes down more members than the cluster can lose: a PodDisruptionBudget
 * with minAvailable or maxUnavailable selects every cluster's member pods (kubernetes platform).
 * pgcluster creates one (maxUnavailable 1); this catches one removed by a transformation or a
 * hand-written cluster. A stack policy, because it relates two resources.
 */
import type { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { known, isKnown } from '../lib/known';
import {
  clusterNameOf,
  isClusterStatefulSet,
  namespaceOf,
  PDB_TYPES,
  podLabels,
  selects,
  type PdbProps,
  type StatefulSetProps,
} from '../lib/kubernetes';

export const POD_DISRUPTION_BUDGET = 'pgcluster-pod-disruption-budget';

function hasBudget(pdb: PdbProps): boolean {
  return pdb.spec?.minAvailable !== undefined || pdb.spec?.maxUnavailable !== undefined;
}

/** Whether some budget covers the StatefulSet's pods; `unknown` when preview cannot tell yet. */
function coverage(
  sts: StatefulSetProps,
  pdbs: readonly PolicyResource[],
): 'covered' | 'uncovered' | 'unknown' {
  const namespace = namespaceOf(sts);
  const labels = podLabels(sts);
  const results = pdbs.map((r) =>
    known(() => {
      const pdb = r.props as PdbProps;
      return namespaceOf(pdb) === namespace && hasBudget(pdb) && selects(pdb.spec?.selector, labels);
    }),
  );
  if (results.some((covers) => covers === true)) return 'covered';
  return results.every(isKnown) ? 'uncovered' : 'unknown';
}

export const podDisruptionBudget: StackValidationPolicy = {
  name: POD_DISRUPTION_BUDGET,
  description:
    'On Kubernetes, a PodDisruptionBudget (minAvailable or maxUnavailable) selects the member pods ' +
    'of each PostgresCluster.',
  enforcementLevel: 'mandatory',
  severity: 'medium',
  validateStack: (args, reportViolation) => {
    const pdbs = args.resources.filter((r) => PDB_TYPES.includes(r.type));
    for (const r of args.resources) {
      const sts = known(() =>
        isClusterStatefulSet({ type: r.type, urn: r.urn, props: r.props as StatefulSetProps })
          ? (r.props as StatefulSetProps)
          : undefined,
      );
      if (!isKnown(sts) || sts === undefined) continue;
      if (known(() => coverage(sts, pdbs)) !== 'uncovered') continue;
      const namespace = namespaceOf(sts);
      reportViolation(
        `PostgresCluster ${clusterNameOf(sts, r.name)}: no PodDisruptionBudget in namespace ${namespace} ` +
          `selects its member pods (labels ${JSON.stringify(podLabels(sts))}); required: a ` +
          'PodDisruptionBudget with maxUnavailable or minAvailable whose selector matches them.',
        r.urn,
      );
    }
  },
};
