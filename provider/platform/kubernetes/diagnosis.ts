/**
 * Why a cluster on Kubernetes is not healthy yet, from its pods, its claims, their events and the
 * storage classes: what a readiness wait reports instead of a bare timeout. `fatal` findings cannot
 * heal by waiting (a claim whose StorageClass does not exist, an image that cannot be pulled, a
 * container crash-looping), so the wait stops at once with them. Pure: the caller fetches.
 */

export interface Finding {
  fatal: boolean;
  message: string;
}

export interface ObservedClaim {
  name: string;
  phase?: string;
  storageClassName?: string;
  /** The latest event messages about it, newest last. */
  events: string[];
}

export interface ObservedContainer {
  name: string;
  waitingReason?: string;
  waitingMessage?: string;
  restartCount: number;
  /** The last lines its previous run logged (for a crash loop). */
  lastLog?: string;
}

export interface ObservedPod {
  name: string;
  phase?: string;
  /** The PodScheduled=False condition's message, when the scheduler could not place it. */
  unschedulable?: string;
  containers: ObservedContainer[];
  events: string[];
}

export interface Observed {
  pods: ObservedPod[];
  claims: ObservedClaim[];
  storageClasses: string[];
  defaultStorageClass?: string;
}

/** Waiting reasons of an image that will not come by waiting. */
const IMAGE_FAILURES = new Set(['ErrImageNeverPull', 'InvalidImageName', 'ImagePullBackOff', 'ErrImagePull']);
/** Restarts after which a crash loop is reported as fatal. */
export const CRASH_LOOP_RESTARTS = 3;

function claimFindings(claim: ObservedClaim, observed: Observed): Finding[] {
  if (claim.phase !== 'Pending') return [];
  const cls = claim.storageClassName ?? observed.defaultStorageClass;
  if (cls === undefined)
    return [
      {
        fatal: true,
        message: `claim ${claim.name} is Pending: it names no StorageClass and the cluster has no default one (classes: ${observed.storageClasses.join(', ') || 'none'}); set platform.kubernetes.storageClass`,
      },
    ];
  if (!observed.storageClasses.includes(cls))
    return [
      {
        fatal: true,
        message: `claim ${claim.name} is Pending: its StorageClass "${cls}" does not exist (classes: ${observed.storageClasses.join(', ') || 'none'}); set platform.kubernetes.storageClass to one of them`,
      },
    ];
  const last = claim.events.at(-1);
  return [
    {
      fatal: false,
      message: `claim ${claim.name} (StorageClass ${cls}) is Pending${last ? `: ${last}` : ''}`,
    },
  ];
}

function containerFindings(pod: ObservedPod, c: ObservedContainer): Finding[] {
  const where = `pod ${pod.name} container ${c.name}`;
  if (c.waitingReason && IMAGE_FAILURES.has(c.waitingReason))
    return [
      {
        fatal: c.waitingReason !== 'ErrImagePull',
        message: `${where}: ${c.waitingReason}${c.waitingMessage ? `: ${c.waitingMessage}` : ''} (platform.kubernetes.image and imagePullPolicy; images/build.sh builds the image)`,
      },
    ];
  if (c.waitingReason === 'CrashLoopBackOff' || c.restartCount >= CRASH_LOOP_RESTARTS) {
    const log = c.lastLog?.trim();
    return [
      {
        fatal: c.restartCount >= CRASH_LOOP_RESTARTS,
        message:
          `${where} is crash-looping (${c.restartCount} restarts)` +
          (log
            ? `; its last lines:\n${log
                .split('\n')
                .map((l) => `      ${l}`)
                .join('\n')}`
            : ''),
      },
    ];
  }
  if (c.waitingReason && c.waitingReason !== 'ContainerCreating' && c.waitingReason !== 'PodInitializing')
    return [
      {
        fatal: false,
        message: `${where}: ${c.waitingReason}${c.waitingMessage ? `: ${c.waitingMessage}` : ''}`,
      },
    ];
  return [];
}

function podFindings(pod: ObservedPod): Finding[] {
  const found = pod.containers.flatMap((c) => containerFindings(pod, c));
  if (pod.unschedulable)
    found.push({ fatal: false, message: `pod ${pod.name} cannot be scheduled: ${pod.unschedulable}` });
  else if (found.length === 0 && pod.phase === 'Pending' && pod.events.length > 0)
    found.push({ fatal: false, message: `pod ${pod.name} is Pending: ${pod.events.at(-1)}` });
  return found;
}

/** Every finding, claims first (a Pending claim keeps its pod unscheduled). */
export function diagnose(observed: Observed): Finding[] {
  return [
    ...observed.claims.flatMap((c) => claimFindings(c, observed)),
    ...observed.pods.flatMap(podFindings),
  ];
}
