/**
 * Secrets: superuser, replication (+ rewind), and the application secret with the keys
 * CloudNativePG's app secret has (username, password, host, port, dbname, uri, jdbc-uri, pgpass;
 * under tls also ca.crt, and the URIs verify the server with it, mounted at APP_SECRET_MOUNT).
 * Values arrive resolved; the component marks them secret.
 */
import type { KubernetesNames } from '../../naming';
import { POOLER_ADMIN_USER, REPLICATION_USER, REWIND_USER, SUPERUSER } from '../../naming';
import { commonLabels } from './labels';
import { PG_PORT } from './patroni-config';
import { pgpassLine } from '../pgpass';
import { uriTlsQuery } from '../tls';

/**
 * Where the URIs of the application Secret expect it mounted under tls (`sslrootcert` names
 * `<APP_SECRET_MOUNT>/ca.crt`): mount the Secret there, or give libpq another sslrootcert.
 */
export const APP_SECRET_MOUNT = '/etc/pgcluster/app';
export const APP_CA_FILE = `${APP_SECRET_MOUNT}/ca.crt`;

/**
 * The keys of a replica cluster's `<name>-superuser` Secret holding its superuser client certificate
 * (its `password` is its own, which the copied catalog admits only once it is promoted).
 */
export const SUPERUSER_CERT_KEYS = { cert: 'tls.crt', key: 'tls.key' } as const;

export interface KubernetesPasswords {
  superuser: string;
  replication: string;
  rewind: string;
  app: string;
}

function secret(
  name: string,
  namespace: string,
  cluster: string,
  type: string,
  stringData: Record<string, string>,
) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: commonLabels(cluster) },
    type,
    stringData,
  };
}

export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc`;
}

export function buildAppSecretData(
  user: string,
  password: string,
  host: string,
  database: string,
  /** Under tls: the CA's PEM (the `ca.crt` key; the URIs verify the server with it). */
  ca?: string,
): Record<string, string> {
  const u = encodeURIComponent(user);
  const p = encodeURIComponent(password);
  const d = encodeURIComponent(database);
  const tls = ca ? uriTlsQuery(APP_CA_FILE) : '';
  return {
    username: user,
    password,
    host,
    port: String(PG_PORT),
    dbname: database,
    uri: `postgresql://${u}:${p}@${host}:${PG_PORT}/${d}${tls ? `?${tls}` : ''}`,
    'jdbc-uri': `jdbc:postgresql://${host}:${PG_PORT}/${d}?password=${p}&user=${u}${tls ? `&${tls}` : ''}`,
    pgpass: pgpassLine(host, PG_PORT, database, user, password),
    ...(ca ? { 'ca.crt': ca } : {}),
  };
}

export function buildSecrets(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  app: { owner: string; database: string },
  passwords: KubernetesPasswords,
  /** Under tls: the CA's PEM, for the application Secret. */
  ca?: string,
  /** A replica cluster's superuser client certificate and key (the CLI logs in with them). */
  superuserCert?: { cert: string; key: string },
) {
  return {
    superuser: secret(names.superuserSecret, namespace, cluster, 'kubernetes.io/basic-auth', {
      username: SUPERUSER,
      password: passwords.superuser,
      ...(superuserCert
        ? { [SUPERUSER_CERT_KEYS.cert]: superuserCert.cert, [SUPERUSER_CERT_KEYS.key]: superuserCert.key }
        : {}),
    }),
    replication: secret(names.replicationSecret, namespace, cluster, 'kubernetes.io/basic-auth', {
      username: REPLICATION_USER,
      password: passwords.replication,
      'rewind-username': REWIND_USER,
      'rewind-password': passwords.rewind,
    }),
    app: secret(
      names.appSecret,
      namespace,
      cluster,
      'kubernetes.io/basic-auth',
      buildAppSecretData(app.owner, passwords.app, serviceHost(names.rw, namespace), app.database, ca),
    ),
  };
}

/**
 * The pooler admin's credentials, for the CLI's switchover (it PAUSEs the pooler pods through their
 * admin consoles, as `primary` does). Readable only by who may read the namespace's Secrets.
 */
export function buildPoolerAdminSecret(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  password: string,
) {
  return secret(names.poolerAdminSecret, namespace, cluster, 'Opaque', {
    username: POOLER_ADMIN_USER,
    password,
  });
}
