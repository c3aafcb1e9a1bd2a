/**
 * `monitoring.exporters` of a PostgresCluster on Kubernetes: the ConfigMap with the query set and the
 * PgBouncer exporter (render/kubernetes/monitoring), the pooler admin's password for it (a Secret),
 * and with monitoring.podMonitor the PodMonitor (the Prometheus Operator's CRD must be installed).
 * The sidecars themselves are in the StatefulSet and the pooler Deployment.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ClusterSpec } from '../spec/cluster';
import { childNames, type KubernetesNames } from '../naming';
import { kubernetesPlatformOf } from '../render/kubernetes';
import {
  buildMonitoringConfigMap,
  buildPodMonitor,
  buildPoolerExporterSecret,
  poolerExporterContainer,
  poolerExporterVolumes,
} from '../render/kubernetes/monitoring';
import type { PoolerExporter } from '../render/kubernetes/pooler';
import { poolerExporterScript } from '../platform/kubernetes/exporter-script';

export interface KubernetesMonitoring {
  /** What the members and the pooler mount: created before them. */
  dependencies: pulumi.Resource[];
  /** The pooler's sidecar, when there is a pooler. */
  poolerExporter?: PoolerExporter;
}

function argsOf<T extends { metadata: unknown }>(object: T): Omit<T, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = object as T & { apiVersion?: string; kind?: string };
  return rest;
}

export function createKubernetesMonitoring(
  parent: pulumi.Resource,
  resourceName: string,
  spec: ClusterSpec,
  names: KubernetesNames,
  poolerAdminPassword: pulumi.Output<string>,
): KubernetesMonitoring {
  const platform = kubernetesPlatformOf(spec);
  const ns = platform.namespace;
  const child = childNames(resourceName);
  const opts = { parent };
  const config = new k8s.core.v1.ConfigMap(
    child.monitoringConfig,
    argsOf(buildMonitoringConfigMap(spec, names, ns, spec.pooler.enabled ? poolerExporterScript() : '')),
    opts,
  );
  const dependencies: pulumi.Resource[] = [config];
  if (spec.pooler.enabled) {
    const object = poolerAdminPassword.apply((p) => buildPoolerExporterSecret(spec, names, ns, p));
    dependencies.push(
      new k8s.core.v1.Secret(
        child.poolerExporterSecret,
        { metadata: object.metadata, type: object.type, stringData: pulumi.secret(object.stringData) },
        opts,
      ),
    );
  }
  if (spec.monitoring?.podMonitor)
    new k8s.apiextensions.CustomResource(child.podMonitor, buildPodMonitor(spec, names, ns), opts);
  return {
    dependencies,
    ...(spec.pooler.enabled
      ? {
          poolerExporter: {
            container: poolerExporterContainer(spec, platform),
            volumes: poolerExporterVolumes(names),
          },
        }
      : {}),
  };
}
