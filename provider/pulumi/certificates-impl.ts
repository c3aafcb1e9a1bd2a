/** ClusterCertificates' CRUD, run inside the dynamic-provider host. */
import type * as pulumi from '@pulumi/pulumi';
import { certificateFacts, createCa, daysLeft, issueCertificate } from '../secrets/x509';
import { CERTIFICATE_DAYS, RENEW_BEFORE_DAYS } from '../render/kubernetes/backup';

interface Props {
  caName: string;
  server: { commonName: string; dnsNames: string[]; ipAddresses?: string[] };
  client: { commonName: string };
}

interface Outs extends Props {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  notAfter: string;
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  return { inputs: news };
}

/** Certificates that must be issued again: different names, or one expiring soon (or expired). */
export function renewalReasons(olds: Partial<Outs>, news: Props, now = new Date()): string[] {
  const reasons: string[] = [];
  if (olds.caName !== news.caName) reasons.push('caName');
  if (JSON.stringify(olds.server) !== JSON.stringify(news.server)) reasons.push('server');
  if (JSON.stringify(olds.client) !== JSON.stringify(news.client)) reasons.push('client');
  for (const key of ['caCert', 'serverCert', 'clientCert'] as const) {
    const pem = olds[key];
    if (!pem || daysLeft(pem, now) < RENEW_BEFORE_DAYS) reasons.push(key);
  }
  return reasons;
}

export async function diff(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = renewalReasons(olds, news);
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function issue(props: Props, now = new Date()): Promise<Outs> {
  const ca = await createCa(props.caName, CERTIFICATE_DAYS.ca, now);
  const server = await issueCertificate(ca, {
    commonName: props.server.commonName,
    dnsNames: props.server.dnsNames,
    ipAddresses: props.server.ipAddresses ?? [],
    usage: 'server',
    days: CERTIFICATE_DAYS.leaf,
    now,
  });
  const client = await issueCertificate(ca, {
    commonName: props.client.commonName,
    usage: 'client',
    days: CERTIFICATE_DAYS.leaf,
    now,
  });
  const notAfter = [ca, server, client]
    .map((c) => certificateFacts(c.certificate).notAfter)
    .sort((a, b) => a.getTime() - b.getTime())[0] as Date;
  return {
    ...props,
    caCert: ca.certificate,
    caKey: ca.privateKey,
    serverCert: server.certificate,
    serverKey: server.privateKey,
    clientCert: client.certificate,
    clientKey: client.privateKey,
    notAfter: notAfter.toISOString(),
  };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const outs = await issue(inputs);
  return { id: certificateFacts(outs.caCert).serialNumber, outs };
}

export async function read(id: string, props: Outs): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(_id: string, olds: Outs): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: olds };
}

export async function remove(): Promise<void> {}
