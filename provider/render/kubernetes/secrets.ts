/**
 * Secrets: superuser, replication (+ rewind), and the application secret with the keys
 * CloudNativePG's app secret has (username, password, host, port, dbname, uri, jdbc-uri, pgpass).
 * Values arrive resolved; the component marks them secret.
 */
import type { KubernetesNames } from '../../naming';
import { REPLICATION_USER, REWIND_USER, SUPERUSER } from '../../naming';
import { commonLabels } from './labels';
import { PG_PORT } from './patroni-config';
import { pgpassLine } from '../pgpass';

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
): Record<string, string> {
  const u = encodeURIComponent(user);
  const p = encodeURIComponent(password);
  const d = encodeURIComponent(database);
  return {
    username: user,
    password,
    host,
    port: String(PG_PORT),
    dbname: database,
    uri: `postgresql://${u}:${p}@${host}:${PG_PORT}/${d}`,
    'jdbc-uri': `jdbc:postgresql://${host}:${PG_PORT}/${d}?password=${p}&user=${u}`,
    pgpass: pgpassLine(host, PG_PORT, database, user, password),
  };
}

export function buildSecrets(
  cluster: string,
  namespace: string,
  names: KubernetesNames,
  app: { owner: string; database: string },
  passwords: KubernetesPasswords,
) {
  return {
    superuser: secret(names.superuserSecret, namespace, cluster, 'kubernetes.io/basic-auth', {
      username: SUPERUSER,
      password: passwords.superuser,
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
      buildAppSecretData(app.owner, passwords.app, serviceHost(names.rw, namespace), app.database),
    ),
  };
}
