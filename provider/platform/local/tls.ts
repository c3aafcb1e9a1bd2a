/**
 * The local cluster's TLS material under `<cluster>/tls`: the CA (generated once, or the user's),
 * the server certificate (generated with every name clients use, or the user's) and the client
 * certificates of the replication and rewind roles. Keys are 0600 files of the run user (PostgreSQL
 * refuses a key others can read); certificates 0644. A generated certificate is issued again when it
 * is missing, signed by another CA, names other hosts or has fewer than tls.renewBeforeDays left.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import { caFilesOf, type PemFilesSpec, type TlsSpec } from '../../spec/tls';
import { InputError } from '../../errors';
import { REWIND_USER } from '../../naming';
import { replicationUser } from '../../render/replication-user';
import { activeTls, serverNames, type TlsFiles } from '../../render/tls';
import { tlsFiles } from './tls-files';
import { clusterPaths } from './paths';
import {
  certificateFacts,
  createCa,
  daysLeft,
  issueCertificate,
  type CertificateRequest,
  type IssuedPem,
} from '../../secrets/x509';
import type { LocalCluster } from './cluster-context';
import { ensureDir, giveTo } from './run-user';
import { writeFileAtomic } from './state';

const CA_DAYS = 3650;

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Writes a certificate (0644) and its key (0600) for the run user; true when either changed. */
function writePair(lc: LocalCluster, certPath: string, keyPath: string, pem: IssuedPem): boolean {
  const changed = read(certPath) !== pem.certificate || read(keyPath) !== pem.privateKey;
  if (!changed) return false;
  writeFileAtomic(keyPath, pem.privateKey, 0o600);
  writeFileAtomic(certPath, pem.certificate, 0o644);
  giveTo(lc.user, keyPath);
  giveTo(lc.user, certPath);
  return true;
}

function userFiles(field: string, files: PemFilesSpec, baseDir: string): IssuedPem {
  const resolve = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  const load = (key: 'certFile' | 'keyFile', marker: RegExp) => {
    const path = resolve(files[key]);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new InputError(`${field}.${key}: cannot read ${path}: ${(e as Error).message}`);
    }
    if (!marker.test(text))
      throw new InputError(
        `${field}.${key}: ${path} is not a PEM ${key === 'certFile' ? 'certificate' : 'private key'}`,
      );
    return text;
  };
  return {
    certificate: load('certFile', /-----BEGIN CERTIFICATE-----/),
    privateKey: load('keyFile', /-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/),
  };
}

/** Reads the user's certificate files the spec names (tls.ca, tls.server): before anything starts. */
export function checkTlsFiles(spec: ClusterSpec, baseDir: string): void {
  const tls = activeTls(spec);
  if (!tls) return;
  const caFiles = caFilesOf(tls.ca);
  if (caFiles) userFiles('tls.ca', caFiles, baseDir);
  if (tls.server !== 'generated') userFiles('tls.server', tls.server, baseDir);
}

/** Why a generated certificate must be issued again, or undefined when it is still good. */
function renewalReason(
  current: string | undefined,
  ca: IssuedPem,
  request: CertificateRequest,
  tls: TlsSpec,
): string | undefined {
  if (!current) return 'new';
  const facts = certificateFacts(current);
  if (facts.issuer !== certificateFacts(ca.certificate).subject) return 'the CA changed';
  if (facts.subject !== `CN=${request.commonName}`) return 'the role changed';
  const same = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
  if (!same(facts.dnsNames, request.dnsNames ?? []) || !same(facts.ipAddresses, request.ipAddresses ?? []))
    return 'the names changed';
  const left = daysLeft(current);
  if (left < tls.renewBeforeDays) return `${Math.max(0, Math.floor(left))} day(s) left`;
  return undefined;
}

/**
 * The CA of a replica cluster's group: its source's (replica.source.cluster, in this state dir), so
 * that each side trusts the other's server and replication certificates (`hostssl ... cert`) and
 * verify-full holds across sites, in either direction after a switch. Undefined when this cluster
 * has no source here or the source has no generated-or-given CA yet.
 */
function groupCa(lc: LocalCluster, spec: ClusterSpec): IssuedPem | undefined {
  const source = spec.replica?.source.cluster;
  if (!source || source === spec.name) return undefined;
  const theirs = clusterPaths(lc.stateDir, source).tls;
  const certificate = read(theirs.caCert);
  const privateKey = read(theirs.caKey);
  return certificate && privateKey ? { certificate, privateKey } : undefined;
}

export interface TlsResult {
  files: TlsFiles;
  /** What was issued or replaced, for the report ("server certificate renewed: 3 day(s) left"). */
  changes: string[];
}

/** Makes `<cluster>/tls` hold the material the spec asks for. Undefined when tls is off. */
export async function ensureTls(
  lc: LocalCluster,
  spec: ClusterSpec,
  baseDir: string,
): Promise<TlsResult | undefined> {
  const tls = activeTls(spec);
  if (!tls) return undefined;
  const t = lc.paths.tls;
  ensureDir(lc.user, t.dir);
  const changes: string[] = [];
  let ca: IssuedPem;
  if (tls.ca === 'generated') {
    const group = groupCa(lc, spec);
    const cert = read(t.caCert);
    const key = read(t.caKey);
    ca =
      group ??
      (cert && key ? { certificate: cert, privateKey: key } : await createCa(`${spec.name} CA`, CA_DAYS));
  } else {
    // A CA from a Kubernetes Secret is refused for local clusters by the spec rules.
    const files = caFilesOf(tls.ca);
    if (!files) throw new InputError('tls.ca.secret: applies to platform.kubernetes only');
    ca = userFiles('tls.ca', files, baseDir);
  }
  if (writePair(lc, t.caCert, t.caKey, ca)) changes.push('CA');
  const names = serverNames(spec.name, { local: true, host: lc.host });
  const server: CertificateRequest = {
    commonName: `${spec.name}-rw`,
    ...names,
    usage: 'server',
    days: tls.days,
  };
  if (tls.server === 'generated') {
    const why = renewalReason(read(t.serverCert), ca, server, tls);
    if (why && writePair(lc, t.serverCert, t.serverKey, await issueCertificate(ca, server)))
      changes.push(`server certificate (${why})`);
  } else if (writePair(lc, t.serverCert, t.serverKey, userFiles('tls.server', tls.server, baseDir)))
    changes.push('server certificate (from tls.server)');
  for (const [role, cert, key] of [
    [replicationUser(spec), t.replicationCert, t.replicationKey],
    [REWIND_USER, t.rewindCert, t.rewindKey],
  ] as const) {
    const request: CertificateRequest = { commonName: role, usage: 'client', days: tls.days };
    const why = renewalReason(read(cert), ca, request, tls);
    if (why && writePair(lc, cert, key, await issueCertificate(ca, request)))
      changes.push(`${role} client certificate (${why})`);
  }
  return { files: tlsFiles(lc), changes };
}

/** A client certificate for `user` signed by the cluster's CA (`pgcluster certificate`). */
export async function issueClientCertificate(
  lc: LocalCluster,
  user: string,
  days: number,
): Promise<IssuedPem & { ca: string }> {
  const certificate = read(lc.paths.tls.caCert);
  const privateKey = read(lc.paths.tls.caKey);
  if (!certificate || !privateKey)
    throw new InputError(`cluster "${lc.name}" has no CA (set tls in its spec and run up)`);
  const issued = await issueCertificate(
    { certificate, privateKey },
    { commonName: user, usage: 'client', days },
  );
  return { ...issued, ca: certificate };
}
