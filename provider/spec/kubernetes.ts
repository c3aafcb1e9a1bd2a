/** Spec keys of the kubernetes platform: where the pods run, their volumes, resources and placement. */
import { z } from 'zod';
import { SpecError, type SpecIssue } from './errors';
import { STORAGE_QUANTITY_FORMS, storageBytes } from './quantity';

/** Where images/build.sh names the images (a user pushes them there, or sets `image`). */
export const IMAGE_REPOSITORY = 'ghcr.io/pgcluster/postgres';
/** The Patroni of tools/patroni/requirements.txt, which every image has. */
export const IMAGE_PATRONI_VERSION = '4.1.5';
/**
 * The image of each PostgreSQL major a Debian release packages (images/releases.txt): bookworm
 * gives 15, trixie gives 17.
 */
export const IMAGES: Readonly<Record<number, string>> = {
  15: `${IMAGE_REPOSITORY}:15-patroni${IMAGE_PATRONI_VERSION}`,
  17: `${IMAGE_REPOSITORY}:17-patroni${IMAGE_PATRONI_VERSION}`,
};
const imageList = Object.entries(IMAGES)
  .map(([major, image]) => `${major} → ${image}`)
  .join(', ');

const quantity = z.union([z.string(), z.number()]);

export const kubernetesPlatformSchema = z
  .strictObject({
    namespace: z
      .string()
      .default('default')
      .describe('Namespace of every object of the cluster. @default - default'),
    context: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The kubeconfig context through which the deployer reaches the pods (readiness, the storage and ' +
          "scale checks, the SQL resources): give the same as the cluster's Kubernetes provider. Absent: " +
          "the kubeconfig's current context.",
      ),
    kubeconfig: z
      .string()
      .meta({ secret: true })
      .optional()
      .describe(
        "The kubeconfig (its text, e.g. a cloud cluster's output, or its file's path) through which the " +
          "deployer reaches the pods: give the same as the cluster's Kubernetes provider, so that each " +
          'cluster of a multi-site program is reached in its own Kubernetes cluster. A secret: it may be ' +
          'an Output unknown at preview, and it is never stored with the spec. Absent: the default ' +
          'kubeconfig (KUBECONFIG, ~/.kube/config).',
      ),
    image: z
      .string()
      .optional()
      .describe(
        'Image with PostgreSQL, Patroni, pgBackRest and PgBouncer (images/build.sh or images/Dockerfile ' +
          `build it). Absent: the image of postgresVersion (${imageList}).`,
      ),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .default('IfNotPresent')
      .describe('@default - IfNotPresent'),
    peerWatch: z
      .boolean()
      .default(true)
      .describe(
        'A `peer-watch` sidecar in every member pod watches the members through the API: when the ' +
          "kubelet reports that the leader's postgres container died (its restart count goes up, or it " +
          'stops running, in a pod that is not being deleted), its processes are gone for certain, and ' +
          'the watch releases its leader lock (if it still holds it, and Patroni is not paused) instead ' +
          'of waiting for ha.ttl or for the restarted container to recover in place. false: only the TTL, ' +
          'as plain Patroni. @default - true',
      ),
    storageClass: z
      .string()
      .optional()
      .describe('StorageClass of the volume claims. Absent: the cluster default.'),
    endpoint: z
      .strictObject({
        patroniUrls: z
          .array(z.string())
          .min(1)
          .describe('Patroni REST API base URLs of the members, e.g. http://10.0.0.5:8008.'),
        host: z
          .string()
          .describe('Host the deployer reaches the primary at (e.g. a load balancer of <name>-rw).'),
        port: z.int().min(1).max(65535).default(5432).describe('@default - 5432'),
      })
      .optional()
      .describe(
        'How the deployer reaches the cluster for readiness and SQL. Absent: a Kubernetes port-forward ' +
          'to the pods (no externally reachable address needed).',
      ),
  })
  .describe(
    'Run the cluster on Kubernetes: a StatefulSet of PostgreSQL + Patroni pods with the Kubernetes DCS.',
  );

/** A volume size: a storage quantity above zero. */
const volumeSize = z.string().refine((q) => (storageBytes(q) ?? 0n) > 0n, {
  error: `a volume size is ${STORAGE_QUANTITY_FORMS}, above zero`,
});

export const storageSchema = z
  .strictObject({
    size: volumeSize
      .default('10Gi')
      .describe(
        "Size of each member's data volume. On a running cluster it may grow (each member's claim is " +
          'patched, no pod restarts; the StorageClass must allow volume expansion), never shrink. @default - 10Gi',
      ),
    walSize: volumeSize
      .optional()
      .describe(
        'Size of a separate WAL volume per member; grows as size does. Absent: WAL lives on the data volume.',
      ),
  })
  .describe(
    'Volumes of each member (kubernetes platform). On platform.local it is accepted and not applicable: the members keep their data in the state dir, and `up` says so.',
  );

const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

export const resourcesSchema = z
  .strictObject({
    requests: resourceList.optional().describe('Requested CPU and memory of the PostgreSQL container.'),
    limits: resourceList.optional().describe('CPU and memory limits of the PostgreSQL container.'),
  })
  .describe('CPU and memory of each member (kubernetes platform). Absent: none set (best effort QoS).');

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().optional(),
});

export const schedulingSchema = z
  .strictObject({
    antiAffinity: z
      .enum(['preferred', 'required', 'none'])
      .default('preferred')
      .describe(
        'Spread members across nodes: `required` refuses to co-locate two members, `preferred` tries to, ' +
          '`none` does not care. @default - preferred',
      ),
    topologyKey: z
      .string()
      .default('kubernetes.io/hostname')
      .describe(
        'Node label that defines "the same place" for anti-affinity and spread. @default - kubernetes.io/hostname',
      ),
    spreadAcrossZones: z
      .boolean()
      .default(false)
      .describe('Add a topology spread constraint over topology.kubernetes.io/zone. @default - false'),
    nodeSelector: z
      .record(z.string(), z.string())
      .default({})
      .describe('Node labels the pods must match. @default - {}'),
    tolerations: z.array(toleration).default([]).describe('Taints the pods tolerate. @default - []'),
  })
  .describe('Where the pods may run (kubernetes platform).');

export type KubernetesPlatformSpec = z.output<typeof kubernetesPlatformSchema>;
export type StorageSpec = z.output<typeof storageSchema>;
export type ResourcesSpec = z.output<typeof resourcesSchema>;
export type SchedulingSpec = z.output<typeof schedulingSchema>;

/** The image the pods run: `image` when set, else the one of postgresVersion. */
export function kubernetesImage(postgresVersion: number, platform: KubernetesPlatformSpec): string {
  const issue = kubernetesImageIssue(postgresVersion, platform);
  if (issue) throw new SpecError([issue]);
  return platform.image ?? (IMAGES[postgresVersion] as string);
}

/** A postgresVersion without an image, when no `image` is set. */
export function kubernetesImageIssue(
  postgresVersion: number,
  platform: KubernetesPlatformSpec,
): SpecIssue | undefined {
  if (platform.image !== undefined || IMAGES[postgresVersion] !== undefined) return undefined;
  return {
    path: 'postgresVersion',
    message:
      `${postgresVersion} has no image on the kubernetes platform: pgcluster builds one per PostgreSQL ` +
      `major a Debian release packages (${imageList}); choose one of ${Object.keys(IMAGES).join(', ')}, ` +
      'or set platform.kubernetes.image to an image of your own with that major',
  };
}
