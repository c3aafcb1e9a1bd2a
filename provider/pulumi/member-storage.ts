/**
 * `MemberStorage`: the members' volume claims on Kubernetes, which the StatefulSet waits for. A
 * grown `storage.size` / `storage.walSize` patches every member's claim first (online: no pod
 * restarts), then deletes the StatefulSet orphaning its pods and waits until it is gone; the
 * StatefulSet resource is then replaced (its claim templates are immutable) and adopts the pods
 * unchanged. Check (so preview) of a changed size reads the live claims and StorageClasses and
 * refuses a shrink or a class without volume expansion (create does the same, before the
 * StatefulSet exists, for claims kept from an earlier cluster). Delete (the cluster destroyed, after
 * the StatefulSet) removes the member pods that orphaning left. Closure-free dynamic resource.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import type { MemberStorageInputs } from './member-storage-impl';

const IMPL = require.resolve('./member-storage-impl');

const sizes = (i: Partial<MemberStorageInputs> | undefined) => JSON.stringify([i?.size, i?.walSize]);
/** The sizes the claims have once create/update is done (an output only: unknown at preview). */
const applied = (i: MemberStorageInputs) => ({ size: i.size, ...(i.walSize ? { walSize: i.walSize } : {}) });

export const memberStorageProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds, news) {
    const before = olds && olds.size !== undefined ? (olds as MemberStorageInputs) : undefined;
    // A new cluster asks no API server at preview (it may not exist yet, made by the same stack):
    // claims kept from an earlier cluster of the name are checked by create, before the StatefulSet.
    if (!before || sizes(before) === sizes(news)) return { inputs: news };
    const plan = await require(IMPL).planMemberStorage(before, news);
    return plan.kind === 'refuse'
      ? { inputs: news, failures: [{ property: 'size', reason: plan.reason }] }
      : { inputs: news };
  },
  async create(inputs) {
    const grown: string[] = await require(IMPL).growMemberStorage(undefined, inputs);
    return {
      id: `${inputs.namespace}/${inputs.cluster}`,
      outs: { ...inputs, grown, applied: applied(inputs) },
    };
  },
  async diff(_id, olds, news) {
    return sizes(olds) !== sizes(news)
      ? { changes: true, replaces: [], deleteBeforeReplace: false }
      : { changes: false };
  },
  async update(_id, olds, news) {
    const grown: string[] = await require(IMPL).growMemberStorage(olds, news);
    await require(IMPL).releaseStatefulSet(news);
    return { outs: { ...news, grown, applied: applied(news) } };
  },
  async delete(_id, props) {
    await require(IMPL).removeOrphanedMembers(props);
  },
};

export class MemberStorage extends PgclusterResource {
  /** The claims the last create/update grew, e.g. `data-orders-1 1Gi → 2Gi`. */
  declare readonly grown: pulumi.Output<string[]>;
  /** The sizes applied to the claims: the StatefulSet's claim templates follow them. */
  declare readonly applied: pulumi.Output<{ size: string; walSize?: string }>;

  constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(
      memberStorageProvider,
      name,
      { ...inputs, grown: undefined, applied: undefined },
      { ...opts, additionalSecretOutputs: ['kubeconfig'] },
      TYPES.dynamicModule,
      TYPES.memberStorage,
    );
  }
}
