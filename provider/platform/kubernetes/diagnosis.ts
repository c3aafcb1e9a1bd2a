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
/** How much of a restarted container's previous log is read (tracebacks are long). */
export const LOG_TAIL_LINES = 80;
/** What Patroni raises when a bootstrap (initdb, a clone, a restore) failed. */
const BOOTSTRAP_FAILED = 'Failed to bootstrap cluster';
/** How many lines of a log a finding shows. */
const SHOWN_LINES = 10;

/**
 * The last lines of a log that say something: Python tracebacks are cut to their final line (the
 * exception), so what the program logged before it (pg_basebackup's error) stays in view.
 */
export function meaningfulLines(log: string, count = SHOWN_LINES): string[] {
  const kept: string[] = [];
  let inTraceback = false;
  for (const line of log.split('\n')) {
    if (line.startsWith('Traceback (most recent call last)')) {
      inTraceback = true;
      continue;
    }
    if (inTraceback && /^\s/.test(line)) continue;
    inTraceback = false;
    if (line.trim() !== '') kept.push(line.trimEnd());
  }
  return kept.slice(-count);
}

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
  const log = c.lastLog ? meaningfulLines(c.lastLog) : undefined;
  const shown = (lines: string[] | undefined) =>
    lines?.length ? `; its last lines:\n${lines.map((l) => `      ${l}`).join('\n')}` : '';
  // Patroni exits when a bootstrap fails (it removes the initialize key first): the next start
  // runs the same bootstrap with the same inputs, so waiting for more restarts teaches nothing.
  if (c.restartCount >= 1 && c.lastLog?.includes(BOOTSTRAP_FAILED))
    return [{ fatal: true, message: `${where}: Patroni could not bootstrap the cluster${shown(log)}` }];
  if (c.waitingReason === 'CrashLoopBackOff' || c.restartCount >= CRASH_LOOP_RESTARTS) {
    return [
      {
        fatal: c.restartCount >= CRASH_LOOP_RESTARTS,
        message: `${where} is crash-looping (${c.restartCount} restarts)${shown(log)}`,
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
