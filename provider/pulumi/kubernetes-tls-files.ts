/**
 * Your own `tls.ca` and `tls.server` files on Kubernetes, read by the deployer at construction: PEM
 * checked, the server certificate signed by the CA and naming what the pods need (the Services, every
 * member pod, 127.0.0.1 for the port-forwards and the exporters), each refusal naming the field.
 * The keys go on as Pulumi secrets into TlsCertificates, which signs the client certificates with
 * your CA and ships your server pair as it is.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ClusterSpec } from '../spec/cluster';
import { caFilesOf, type PemFilesSpec } from '../spec/tls';
import type { KubernetesNames } from '../naming';
import { activeTls } from '../render/tls';
import { certificateFacts, type IssuedPem } from '../secrets/x509';
import { memberNames } from '../platform/kubernetes/access';

export interface OwnTls {
  ca?: IssuedPem;
  server?: IssuedPem;
}

function load(field: string, files: PemFilesSpec, baseDir: string): IssuedPem {
  const read = (key: 'certFile' | 'keyFile', marker: RegExp, what: string) => {
    const path = isAbsolute(files[key]) ? files[key] : resolve(baseDir, files[key]);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(
        `${field}.${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    if (!marker.test(text)) throw new Error(`${field}.${key}: ${path} is not a PEM ${what}`);
    return text;
  };
  return {
    certificate: read('certFile', /-----BEGIN CERTIFICATE-----/, 'certificate'),
    privateKey: read('keyFile', /-----BEGIN (EC |RSA )?PRIVATE KEY-----/, 'private key (unencrypted)'),
  };
}

/** Whether a SAN list covers `name` (exactly, or by a wildcard of its first label). */
function covers(sans: readonly string[], name: string): boolean {
  const parent = name.slice(name.indexOf('.') + 1);
  return sans.includes(name) || sans.includes(`*.${parent}`);
}

/** The names a server certificate must carry on Kubernetes (the Services, the member pods, 127.0.0.1). */
export function requiredServerNames(spec: ClusterSpec, names: KubernetesNames, namespace: string): string[] {
  const services = [names.rw, names.ro, names.r, ...(spec.pooler.enabled ? [names.pooler] : [])];
  return [
    ...services.map((s) => `${s}.${namespace}.svc`),
    ...memberNames(spec).map((pod) => `${pod}.${names.headless}.${namespace}.svc`),
    '127.0.0.1',
  ];
}

/** Reads the spec's own CA and server files (none under `generated`); throws naming the field. */
export function readOwnTls(
  spec: ClusterSpec,
  names: KubernetesNames,
  namespace: string,
  baseDir: string,
): OwnTls {
  const tls = activeTls(spec);
  if (!tls) return {};
  const caFiles = caFilesOf(tls.ca);
  const ca = caFiles ? load('tls.ca', caFiles, baseDir) : undefined;
  if (tls.server === 'generated' || !ca) return ca ? { ca } : {};
  const server = load('tls.server', tls.server, baseDir);
  const facts = certificateFacts(server.certificate);
  if (facts.issuer !== certificateFacts(ca.certificate).subject)
    throw new Error(
      `tls.server.certFile: ${tls.server.certFile} is issued by "${facts.issuer}", not by the CA of tls.ca ("${certificateFacts(ca.certificate).subject}")`,
    );
  const missing = requiredServerNames(spec, names, namespace).filter((n) =>
    /^[0-9.]+$/.test(n) ? !facts.ipAddresses.includes(n) : !covers(facts.dnsNames, n),
  );
  if (missing.length > 0)
    throw new Error(
      `tls.server.certFile: ${tls.server.certFile} does not name ${missing.join(', ')}: on Kubernetes the server ` +
        `certificate must name the Services, every member pod (e.g. *.${names.headless}.${namespace}.svc) and ` +
        '127.0.0.1 (the port-forwards and the exporters connect there)',
    );
  return { ca, server };
}

/**
 * The CA of `tls.ca.secret` from that Secret's data (base64, as the API returns it): `tls.crt` and
 * `tls.key` in PEM, each refusal naming the Secret and the namespace (never a value).
 */
export function caFromSecretData(
  secret: string,
  namespace: string,
  data: Record<string, string> | undefined,
): IssuedPem {
  const where = `tls.ca.secret: Secret "${secret}" in namespace "${namespace}"`;
  const decoded = (key: string, marker: RegExp, what: string) => {
    const value = data?.[key];
    if (value === undefined || value === '')
      throw new Error(
        `${where} has no ${key}: it must hold the CA's certificate as tls.crt and its private key as tls.key (PEM, e.g. type kubernetes.io/tls)`,
      );
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (!marker.test(text)) throw new Error(`${where}: ${key} is not a PEM ${what}`);
    return text;
  };
  return {
    certificate: decoded('tls.crt', /-----BEGIN CERTIFICATE-----/, 'certificate'),
    privateKey: decoded('tls.key', /-----BEGIN (EC |RSA )?PRIVATE KEY-----/, 'private key (unencrypted)'),
  };
}
