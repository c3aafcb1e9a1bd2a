/** Cross-field rules of `tls` and `monitoring`. Pure. */
import type { ClusterSpec } from './cluster';
import { showValue, type SpecIssue } from './errors';
import { identifierIssue, OWNED_ROLES } from './identifiers';
import { caFilesOf, caSecretOf } from './tls';

/** A Kubernetes object name (RFC 1123 subdomain). */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Role names pg_hba.conf takes unquoted (pgcluster writes `hostssl all <role> ... cert`). */
const HBA_ROLE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The highest port offset a local cluster with exporters uses (member 20's exporter). */
export const EXPORTER_PORT_SPAN = 80;
const MAX_PORT = 32767;

function tlsIssues(s: ClusterSpec): SpecIssue[] {
  const tls = s.tls;
  if (!tls) return [];
  const issues: SpecIssue[] = [];
  if (!tls.enabled && tls.required)
    issues.push({
      path: 'tls.required',
      message: 'true is not allowed while tls.enabled is false: set tls.enabled true, or required false',
    });
  if (tls.renewBeforeDays >= tls.days)
    issues.push({
      path: 'tls.renewBeforeDays',
      message: `${tls.renewBeforeDays} must be < tls.days (${tls.days}): a new certificate would be renewed on every up`,
    });
  const caSecret = caSecretOf(tls.ca);
  if (caSecret !== undefined && !s.platform.kubernetes)
    issues.push({
      path: 'tls.ca.secret',
      message: `${showValue(caSecret)} is not allowed on platform.local: a CA from a Kubernetes Secret applies to platform.kubernetes only (use {certFile, keyFile} locally)`,
    });
  if (caSecret !== undefined && !DNS_SUBDOMAIN.test(caSecret))
    issues.push({
      path: 'tls.ca.secret',
      message: `${showValue(caSecret)} is not allowed: a Secret name is a DNS subdomain (lowercase letters, digits, "-" and ".", at most 253)`,
    });
  if (caSecret !== undefined && tls.server !== 'generated')
    issues.push({
      path: 'tls.server',
      message:
        'your own server certificate is checked against your CA before anything is touched: with it, give the CA ' +
        'as tls.ca {certFile, keyFile}, or let the CA of tls.ca.secret sign a generated server certificate',
    });
  if (tls.server !== 'generated' && tls.ca === 'generated')
    issues.push({
      path: 'tls.server',
      message:
        'your own server certificate needs your CA too: set tls.ca to {certFile, keyFile} of the CA that signed it ' +
        '(clients verify the server with it, and pgcluster signs the client certificates with it)',
    });
  for (const file of ['certFile', 'keyFile'] as const) {
    for (const key of ['ca', 'server'] as const) {
      const value = key === 'ca' ? caFilesOf(tls.ca) : tls.server === 'generated' ? undefined : tls.server;
      if (value !== undefined && /[\r\n\0]/.test(value[file]))
        issues.push({
          path: `tls.${key}.${file}`,
          message: `${showValue(value[file])} is not allowed: must not contain newlines or NUL`,
        });
    }
  }
  const seen = new Set<string>();
  tls.clientAuth.users.forEach((user, i) => {
    const path = `tls.clientAuth.users[${i}]`;
    const bad = identifierIssue(path, user);
    if (bad) issues.push(bad);
    else if (!HBA_ROLE.test(user))
      issues.push({
        path,
        message: `${showValue(user)} is not allowed: certificate logins take role names of letters, digits, "_", "." and "-", starting with a letter or "_"`,
      });
    else if (Object.hasOwn(OWNED_ROLES, user))
      issues.push({
        path,
        message: `${showValue(user)} is not allowed: ${OWNED_ROLES[user]} is pgcluster's`,
      });
    else if (seen.has(user)) issues.push({ path, message: `${showValue(user)} is listed twice` });
    seen.add(user);
  });
  return issues;
}

function monitoringIssues(s: ClusterSpec): SpecIssue[] {
  const m = s.monitoring;
  if (!m) return [];
  const issues: SpecIssue[] = [];
  const base = s.platform.local?.basePort;
  if (m.exporters && base !== undefined && base + EXPORTER_PORT_SPAN > MAX_PORT)
    issues.push({
      path: 'platform.local.basePort',
      message: `${base} is not allowed with monitoring.exporters: the exporters use ports up to basePort+${EXPORTER_PORT_SPAN}, so basePort must be <= ${MAX_PORT - EXPORTER_PORT_SPAN} (or set monitoring.exporters false)`,
    });
  if (m.podMonitor && !s.platform.kubernetes)
    issues.push({
      path: 'monitoring.podMonitor',
      message: 'applies to platform.kubernetes only: remove it for platform.local',
    });
  if (m.podMonitor && !m.exporters)
    issues.push({
      path: 'monitoring.podMonitor',
      message: 'true needs monitoring.exporters true: a PodMonitor scrapes the exporters',
    });
  return issues;
}

export function checkObservabilityRules(s: ClusterSpec): SpecIssue[] {
  return [...tlsIssues(s), ...monitoringIssues(s)];
}
