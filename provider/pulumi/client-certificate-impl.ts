/**
 * The ClientCertificate resource's CRUD, run inside the dynamic-provider host: the same issuing as
 * `pgcluster certificate` (the cluster's CA signs a client certificate whose CN is the role).
 */
import type * as pulumi from '@pulumi/pulumi';
import { DNS_1035_LABEL } from '../spec/cluster';
import { LocalPlatform } from '../platform/local';
import { defaultStateDir } from '../platform/local/state-dir';
import { certificateFacts, daysLeft } from '../secrets/x509';

/** A certificate with fewer days left than this is issued again by the next update. */
export const CLIENT_RENEW_BEFORE_DAYS = 30;
const ROLE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

interface Props {
  cluster: string;
  stateDir?: string;
  user: string;
  days: number;
  trigger?: string;
}

interface Outs extends Props {
  certificate: string;
  privateKey: string;
  ca: string;
  notAfter: string;
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const days = news.days ?? 365;
  if (typeof news.cluster !== 'string' || !DNS_1035_LABEL.test(news.cluster))
    failures.push({
      property: 'cluster',
      reason: `cluster: ${JSON.stringify(news.cluster)} is not a cluster name`,
    });
  if (typeof news.user !== 'string' || !ROLE.test(news.user) || Buffer.byteLength(news.user) > 63)
    failures.push({
      property: 'user',
      reason: `user: ${JSON.stringify(news.user)} is not allowed: a role name of letters, digits, "_", "." and "-", at most 63 bytes`,
    });
  if (!Number.isInteger(days) || days <= CLIENT_RENEW_BEFORE_DAYS)
    failures.push({
      property: 'days',
      reason: `days: ${JSON.stringify(days)} is not allowed: a whole number above ${CLIENT_RENEW_BEFORE_DAYS} (it is renewed ${CLIENT_RENEW_BEFORE_DAYS} days before it expires)`,
    });
  return failures.length ? { failures } : { inputs: { ...news, days } };
}

/** Issued again (replaced) for another cluster, role, validity or trigger, and when it expires soon. */
export async function diff(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = (['cluster', 'stateDir', 'user', 'days', 'trigger'] as const).filter(
    (k) => olds[k] !== news[k],
  );
  if (olds.certificate && daysLeft(olds.certificate) < CLIENT_RENEW_BEFORE_DAYS) replaces.push('certificate');
  return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const platform = new LocalPlatform(inputs.stateDir ?? defaultStateDir());
  const issued = await platform.clientCertificate(inputs.cluster, inputs.user, inputs.days);
  const facts = certificateFacts(issued.certificate);
  return {
    id: `${inputs.cluster}/${inputs.user}/${facts.serialNumber}`,
    outs: {
      ...inputs,
      certificate: issued.certificate,
      privateKey: issued.privateKey,
      ca: issued.ca,
      notAfter: facts.notAfter.toISOString(),
    },
  };
}

export async function read(id: string, props: Outs): Promise<pulumi.dynamic.ReadResult> {
  return { id, props };
}

export async function update(_id: string, olds: Outs, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: { ...olds, ...news } };
}

/** Nothing to revoke: a certificate stops working when it expires or the cluster's CA changes. */
export async function remove(): Promise<void> {}
