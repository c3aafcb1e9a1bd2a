/**
 * Certificates pgcluster issues for its own connections: a CA per cluster, and server and client
 * certificates it signs. ECDSA P-256 keys, SHA-256 signatures, PEM out (PKCS#8 private keys), with
 * @peculiar/x509 on Node's WebCrypto: no hand-written ASN.1. The private keys are secrets: the
 * callers keep them in Pulumi secrets, Kubernetes Secrets or 0600 files, never in logs.
 */
// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill, loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600_000;

export interface IssuedPem {
  certificate: string;
  /** PKCS#8 PEM: a secret. */
  privateKey: string;
}

export interface CertificateRequest {
  commonName: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** What the key may authenticate: a TLS server, a TLS client, or both. */
  usage: 'server' | 'client' | 'both';
  days: number;
  /** The validity's start (tests); default now. A minute earlier, for clocks a little behind. */
  now?: Date;
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function validity(days: number, now = new Date()) {
  return { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, KEY, true, ['sign']);
}

/** CN=... with the characters RFC 4514 escapes escaped. */
function dn(commonName: string): string {
  return `CN=${commonName.replace(/([,+"\\<>;=])/g, '\\$1')}`;
}

/** A self-signed certificate authority. */
export async function createCa(commonName: string, days: number, now?: Date): Promise<IssuedPem> {
  const keys = (await webcrypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(commonName),
    ...validity(days, now),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificate: certificate.toString('pem'),
    privateKey: pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never)),
  };
}

/** A certificate signed by `ca` for the names and the usage asked. */
export async function issueCertificate(ca: IssuedPem, request: CertificateRequest): Promise<IssuedPem> {
  const caCert = new x509.X509Certificate(ca.certificate);
  const caKey = await importKey(ca.privateKey);
  const keys = (await webcrypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const purposes = [
    ...(request.usage !== 'client' ? [x509.ExtendedKeyUsage.serverAuth] : []),
    ...(request.usage !== 'server' ? [x509.ExtendedKeyUsage.clientAuth] : []),
  ];
  const names = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(request.commonName),
    issuer: caCert.subject,
    ...validity(request.days, request.now),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(purposes, false),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    certificate: certificate.toString('pem'),
    privateKey: pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as never)),
  };
}

/** What a PEM certificate says about itself (status lines, expiry checks). */
export function certificateFacts(pem: string): CertificateFacts {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const entries = san?.names.items ?? [];
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames: entries.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: entries.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

/** Days left before the certificate expires (negative: expired), at `now`. */
export function daysLeft(pem: string, now = new Date()): number {
  return (certificateFacts(pem).notAfter.getTime() - now.getTime()) / DAY_MS;
}
