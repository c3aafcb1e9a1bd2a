/**
 * TlsCertificates' CRUD, run inside the dynamic-provider host. A new CA replaces the resource (every
 * certificate is issued again); a server or client certificate whose names changed or that expires
 * within renewBeforeDays is issued again by an update, signed by the same CA, so clients that trust
 * the CA keep working.
 */
import type * as pulumi from '@pulumi/pulumi';
import { certificateFacts, createCa, daysLeft, issueCertificate, type IssuedPem } from '../secrets/x509';

export const CA_DAYS = 3650;

interface Props {
  caName: string;
  server: { commonName: string; dnsNames: string[]; ipAddresses: string[] };
  clients: string[];
  days: number;
  renewBeforeDays: number;
  /** Your CA (tls.ca files): it signs the client certificates; absent, a CA of our own. */
  ca?: IssuedPem;
  /** Your server pair (tls.server files), served as it is; absent, one issued for `server`. */
  ownServer?: IssuedPem;
  /** Why the spec's CA cannot be used (tls.ca.secret without tls.key, …): check refuses it. */
  refusal?: string;
}

export interface Outs extends Props {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCerts: Record<string, string>;
  clientKeys: Record<string, string>;
  serverNotAfter: string;
}

export interface Renewals {
  /** A new CA: everything is issued again. */
  ca: boolean;
  server: boolean;
  /** Client common names to issue (again). */
  clients: string[];
}

/** What must be issued again for `news`, given the state `olds`, at `now`. */
export function renewals(olds: Partial<Outs>, news: Props, now = new Date()): Renewals {
  const expiring = (pem: string | undefined) => !pem || daysLeft(pem, now) < news.renewBeforeDays;
  const ca = news.ca
    ? olds.caCert !== news.ca.certificate
    : olds.caName !== news.caName || olds.ca !== undefined || expiring(olds.caCert);
  if (ca) return { ca, server: true, clients: [...news.clients] };
  const server = news.ownServer
    ? olds.serverCert !== news.ownServer.certificate
    : olds.ownServer !== undefined ||
      JSON.stringify(olds.server) !== JSON.stringify(news.server) ||
      expiring(olds.serverCert);
  const clients = news.clients.filter((cn) => expiring(olds.clientCerts?.[cn]));
  return { ca, server, clients };
}

/** A refusal found by the component once the CA Secret was read fails here, before anything is issued. */
export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  if (news.refusal) return { failures: [{ property: 'ca', reason: news.refusal }] };
  return { inputs: news };
}

export async function diff(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const r = renewals(olds, news);
  const removed = Object.keys(olds.clientCerts ?? {}).some((cn) => !news.clients.includes(cn));
  const inputs =
    JSON.stringify([olds.days, olds.renewBeforeDays]) !== JSON.stringify([news.days, news.renewBeforeDays]);
  return {
    changes: r.ca || r.server || r.clients.length > 0 || removed || inputs,
    // A new CA of our own replaces the resource; your CA changing is an update that signs anew.
    replaces: r.ca && !news.ca ? ['caName'] : [],
    deleteBeforeReplace: false,
  };
}

/** Issues what `r` asks (from `olds` the rest), signed by the CA of `olds` unless r.ca. */
export async function issue(props: Props, olds: Partial<Outs>, r: Renewals, now = new Date()): Promise<Outs> {
  const ca: IssuedPem =
    props.ca ??
    (r.ca || !olds.caCert || !olds.caKey
      ? await createCa(props.caName, CA_DAYS, now)
      : { certificate: olds.caCert, privateKey: olds.caKey });
  const server =
    props.ownServer ??
    (r.server || !olds.serverCert || !olds.serverKey
      ? await issueCertificate(ca, { ...props.server, usage: 'server', days: props.days, now })
      : { certificate: olds.serverCert, privateKey: olds.serverKey });
  const clientCerts: Record<string, string> = {};
  const clientKeys: Record<string, string> = {};
  for (const cn of props.clients) {
    const kept = olds.clientCerts?.[cn];
    const keptKey = olds.clientKeys?.[cn];
    const pem =
      r.clients.includes(cn) || !kept || !keptKey
        ? await issueCertificate(ca, { commonName: cn, usage: 'client', days: props.days, now })
        : { certificate: kept, privateKey: keptKey };
    clientCerts[cn] = pem.certificate;
    clientKeys[cn] = pem.privateKey;
  }
  return {
    ...props,
    caCert: ca.certificate,
    caKey: ca.privateKey,
    serverCert: server.certificate,
    serverKey: server.privateKey,
    clientCerts,
    clientKeys,
    serverNotAfter: certificateFacts(server.certificate).notAfter.toISOString(),
  };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const outs = await issue(inputs, {}, { ca: true, server: true, clients: inputs.clients });
  return { id: certificateFacts(outs.caCert).serialNumber, outs };
}

export async function read(id: string, props: Outs): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await issue(news, olds, renewals(olds, news)) };
}

export async function remove(): Promise<void> {}
