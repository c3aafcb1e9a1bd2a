/**
 * Every Kubernetes object of a cluster, as plain objects: pure, so they can be snapshotted,
 * diffed and validated against the Kubernetes OpenAPI schemas. Only the component instantiates them.
 */
import { appOf } from '../../spec/bootstrap';
import type { ClusterSpec } from '../../spec/cluster';
import type { KubernetesPlatformSpec } from '../../spec/kubernetes';
import { kubernetesNames } from '../../naming';
import { FENCE_SCRIPT, renderKubernetesPatroniYaml } from './patroni-config';
import { buildRbac } from './rbac';
import { buildStatefulSet } from './statefulset';
import { buildPatroniConfigMap, buildPodDisruptionBudget, buildServices } from './services';
import { buildSecrets, type KubernetesPasswords } from './secrets';
import { buildPooler } from './pooler';
import { buildCloneSecret, cloneConfigFiles } from './clone';
import { peerWatchFiles } from './peer-watch';
import { buildFencingConfigMap, memberFiles } from './fencing';
import { activeTls } from '../tls';
import { buildTlsSecret, kubernetesPoolerTls, type TlsMaterial } from './tls';
import {
  buildMonitoringConfigMap,
  buildPodMonitor,
  buildPoolerExporterSecret,
  exportersOn,
  poolerExporterContainer,
  poolerExporterVolumes,
} from './monitoring';

export interface KubernetesInputs {
  passwords: KubernetesPasswords;
  /** SCRAM verifiers (stable salts) of the app owner's and the pooler admin's passwords. */
  appVerifier: string;
  poolerAdminVerifier: string;
  /** bootstrap.pgBasebackup: the clone script's text (the ConfigMap carries it) and the source's password. */
  clone?: { script: string; password?: string };
  /** platform.kubernetes.peerWatch: the sidecar's script text (the ConfigMap carries it). */
  peerWatchScript?: string;
  /** The pre_promote fencing script's text (the ConfigMap carries it). */
  fenceScript?: string;
  /** The members' first process (k8s-member.py, fencing): its text (the ConfigMap carries it). */
  memberScript?: string;
  /** The module it and the fencing script share (k8s_patroni_rest.py): its text. */
  patroniRestModule?: string;
  /** Under tls: the certificates (TlsCertificates issues them). */
  tls?: TlsMaterial;
  /** Under monitoring.exporters with a pooler: the PgBouncer exporter's script and the admin's password. */
  poolerExporter?: { script: string; adminPassword: string };
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
  const tls = activeTls(spec) ? inputs.tls : undefined;
  if (activeTls(spec) && !tls) throw new Error('tls is on: the certificates are needed');
  const exporters = exportersOn(spec);
  const poolerExporter =
    exporters && spec.pooler.enabled
      ? { container: poolerExporterContainer(spec, platform), volumes: poolerExporterVolumes(names) }
      : undefined;
  return {
    ...buildRbac(spec.name, ns, names),
    patroniConfig: buildPatroniConfigMap(spec.name, ns, names, renderKubernetesPatroniYaml(spec, ns), {
      ...cloneConfigFiles(spec, inputs.clone?.script ?? ''),
      ...peerWatchFiles(platform, inputs.peerWatchScript ?? ''),
      [FENCE_SCRIPT]: inputs.fenceScript ?? '',
      ...memberFiles(inputs.memberScript ?? '', inputs.patroniRestModule ?? ''),
    }),
    fencing: buildFencingConfigMap(spec.name, ns, names, spec.fenced),
    cloneSecret:
      inputs.clone?.password !== undefined
        ? buildCloneSecret(spec, ns, names, inputs.clone.password)
        : undefined,
    statefulSet: buildStatefulSet(spec, platform, names),
    services: buildServices(spec.name, ns, names),
    pdb: buildPodDisruptionBudget(spec.name, ns, names),
    secrets: buildSecrets(spec.name, ns, names, app, inputs.passwords, tls?.caCert),
    tlsSecret: tls ? buildTlsSecret(spec.name, ns, names, tls) : undefined,
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
          kubernetesPoolerTls(spec),
          poolerExporter,
          spec.hibernate,
        )
      : undefined,
    monitoringConfig: exporters
      ? buildMonitoringConfigMap(spec, names, ns, inputs.poolerExporter?.script ?? '')
      : undefined,
    poolerExporterSecret: poolerExporter
      ? buildPoolerExporterSecret(spec, names, ns, inputs.poolerExporter?.adminPassword ?? '')
      : undefined,
    podMonitor: exporters && spec.monitoring?.podMonitor ? buildPodMonitor(spec, names, ns) : undefined,
  };
}

export type KubernetesObjects = ReturnType<typeof buildKubernetesObjects>;
export { kubernetesNames };
export * from './labels';
export { PATRONI_RULES } from './rbac';
export { PG_PORT, PATRONI_PORT } from './patroni-config';
export { serviceHost } from './secrets';
