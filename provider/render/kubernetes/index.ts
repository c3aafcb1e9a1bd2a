/**
 * Every Kubernetes object of a cluster, as plain objects: pure, so they can be snapshotted,
 * diffed and validated against the Kubernetes OpenAPI schemas. Only the component instantiates them.
 */
import { appOf } from '../../spec/bootstrap';
import type { ClusterSpec } from '../../spec/cluster';
import type { KubernetesPlatformSpec } from '../../spec/kubernetes';
import { kubernetesNames } from '../../naming';
import { renderKubernetesPatroniYaml } from './patroni-config';
import { buildRbac } from './rbac';
import { buildStatefulSet } from './statefulset';
import { buildPatroniConfigMap, buildPodDisruptionBudget, buildServices } from './services';
import { buildSecrets, type KubernetesPasswords } from './secrets';
import { buildPooler } from './pooler';
import { buildCloneSecret, cloneConfigFiles } from './clone';
import { peerWatchFiles } from './peer-watch';

export interface KubernetesInputs {
  passwords: KubernetesPasswords;
  /** SCRAM verifiers (stable salts) of the app owner's and the pooler admin's passwords. */
  appVerifier: string;
  poolerAdminVerifier: string;
  /** bootstrap.pgBasebackup: the clone script's text (the ConfigMap carries it) and the source's password. */
  clone?: { script: string; password?: string };
  /** platform.kubernetes.peerWatch: the sidecar's script text (the ConfigMap carries it). */
  peerWatchScript?: string;
}

export function kubernetesPlatformOf(spec: ClusterSpec): KubernetesPlatformSpec {
  if (!spec.platform.kubernetes) throw new Error(`cluster ${spec.name} is not on the kubernetes platform`);
  return spec.platform.kubernetes;
}

export function buildKubernetesObjects(spec: ClusterSpec, inputs: KubernetesInputs) {
  const platform = kubernetesPlatformOf(spec);
  const ns = platform.namespace;
  const names = kubernetesNames(spec.name);
  const app = {
    owner: appOf(spec.bootstrap).owner,
    database: appOf(spec.bootstrap).database,
  };
  return {
    ...buildRbac(spec.name, ns, names),
    patroniConfig: buildPatroniConfigMap(spec.name, ns, names, renderKubernetesPatroniYaml(spec, ns), {
      ...cloneConfigFiles(spec, inputs.clone?.script ?? ''),
      ...peerWatchFiles(platform, inputs.peerWatchScript ?? ''),
    }),
    cloneSecret:
      inputs.clone?.password !== undefined
        ? buildCloneSecret(spec, ns, names, inputs.clone.password)
        : undefined,
    statefulSet: buildStatefulSet(spec, platform, names),
    services: buildServices(spec.name, ns, names),
    pdb: buildPodDisruptionBudget(spec.name, ns, names),
    secrets: buildSecrets(spec.name, ns, names, app, inputs.passwords),
    pooler: spec.pooler.enabled
      ? buildPooler(
          spec.name,
          spec.postgresVersion,
          spec.pooler,
          platform,
          names,
          {
            owner: app.owner,
            appVerifier: inputs.appVerifier,
            adminVerifier: inputs.poolerAdminVerifier,
          },
          spec.hibernate,
        )
      : undefined,
  };
}

export type KubernetesObjects = ReturnType<typeof buildKubernetesObjects>;
export { kubernetesNames };
export * from './labels';
export { PATRONI_RULES } from './rbac';
export { PG_PORT, PATRONI_PORT } from './patroni-config';
export { serviceHost } from './secrets';
