/**
 * `ScaleDownGuard`: a step the StatefulSet waits for. On an update that lowers `instances` it moves
 * the primary off the ordinals the StatefulSet is about to remove, and on one that fences the
 * primary it moves the primary to an unfenced member (see scale-guard-impl). Creating
 * and deleting it do nothing. Closure-free dynamic resource, like ClusterReady.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';
import type { ClusterReadyInputs } from './readiness';

const IMPL = require.resolve('./scale-guard-impl');

/** What the guard acts on: the member count, and the fenced members (the primary is moved off them). */
const guarded = (inputs: { spec?: { instances?: number; fenced?: string[] } }) =>
  JSON.stringify([inputs.spec?.instances, [...(inputs.spec?.fenced ?? [])].sort()]);

export const scaleGuardProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `${inputs.spec.platform.kubernetes.namespace}/${inputs.spec.name}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    return guarded(olds) !== guarded(news)
      ? { changes: true, replaces: [], deleteBeforeReplace: false }
      : { changes: false };
  },
  async update(_id, olds, news) {
    const step = await require(IMPL).beforeScaleDown(olds, news);
    return {
      outs: {
        ...news,
        lastStep: step.kind === 'switchover' ? `switched over from ${step.from} to ${step.to}` : step.kind,
      },
    };
  },
};

export class ScaleDownGuard extends PgclusterResource {
  constructor(name: string, inputs: ClusterReadyInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      scaleGuardProvider,
      name,
      { ...inputs, lastStep: undefined },
      {
        ...opts,
        additionalSecretOutputs: [
          'superuserPassword',
          'appPassword',
          'appVerifier',
          'poolerAdminPassword',
          'superuserCert',
          'kubeconfig',
        ],
      },
      TYPES.dynamicModule,
      TYPES.scaleDownGuard,
    );
  }
}
