/** The restricted Pod Security Standard: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp. */

/** UID/GID of `postgres` in images/Dockerfile. */
export const POSTGRES_UID = 999;

export function podSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: POSTGRES_UID,
    runAsGroup: POSTGRES_UID,
    fsGroup: POSTGRES_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext() {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
