// Two sites in one program: two Kubernetes clusters, each reached through its own provider (its own
// kubeconfig and context), a primary cluster `orders-a` on site A and a read-only replica cluster
// `orders-b` on site B that streams from it (a Patroni standby cluster: its standby leader follows
// orders-a's -rw Service, its other members cascade from it).
//
// Wired by outputs: orders-a's `replicationSource` (a secret: its role passwords, which its copy
// keeps) becomes a Secret in site B's namespace, which orders-b names as replica.source.secret.
// orders-b streams as its own replication role, orders_b_replication, which orders-a declares
// (replicationSource is known once it exists).
// TLS: both clusters are signed by one group CA (tls.ca files, read by the deployer, never in the
// clusters), so orders-b verifies orders-a with sslmode=verify-full and orders-a admits orders-b's
// replication certificate. Make the CA once:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
//     -subj '/CN=orders group CA' -keyout group-ca.key -out group-ca.crt
//
// pulumi config set kubeconfigA ~/.kube/site-a; pulumi config set contextA site-a (and B); both
// default to the default kubeconfig and its current context. Each site's provider and its cluster's
// own deployer steps (readiness, SQL) use the same: a kubeconfig that is a cloud cluster's output
// goes to both, as a secret (platform.kubernetes.kubeconfig). Site B must reach site A's Service
// (one network across the clusters, e.g. a service mesh or Submariner; or both sites on one cluster).
// Promote orders-b when site A is gone: pulumi config set promote true (replica.primary: orders-b,
// force: true: its lag behind orders-a is not measured on Kubernetes).
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { PostgresCluster } from 'pulumi-pgcluster';

const config = new pulumi.Config();
const nsA = config.get('namespaceA') ?? 'orders-site-a';
const nsB = config.get('namespaceB') ?? 'orders-site-b';
const groupCa = {
  certFile: config.get('caCertFile') ?? 'group-ca.crt',
  keyFile: config.get('caKeyFile') ?? 'group-ca.key',
};
const instances = config.getNumber('instances') ?? 2;
const FEED_ROLE = 'orders_b_replication';

/** A site's kubeconfig (a path or its text) and context: its provider's, and its cluster's deployer's. */
function site(key: 'A' | 'B') {
  const kubeconfig = config.get(`kubeconfig${key}`);
  const context = config.get(`context${key}`);
  return { ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) };
}
const siteA = new k8s.Provider('site-a', { ...site('A'), namespace: nsA });
const siteB = new k8s.Provider('site-b', { ...site('B'), namespace: nsB });
const namespaceA = new k8s.core.v1.Namespace('site-a', { metadata: { name: nsA } }, { provider: siteA });
const namespaceB = new k8s.core.v1.Namespace('site-b', { metadata: { name: nsB } }, { provider: siteB });

const primary = new PostgresCluster(
  'orders-a',
  {
    instances,
    // The readiness and the SQL reach the pods through the same kubeconfig and context as the provider.
    platform: { kubernetes: { namespace: nsA, ...site('A') } },
    tls: { ca: groupCa },
    pooler: { enabled: config.getBoolean('pooler') ?? true },
    // orders-b's own replication role: it streams as it (admitted by its certificate, CN
    // orders_b_replication, of the group CA), so site A can tell it apart and revoke it alone.
    roles: [{ name: FEED_ROLE, login: true, replication: true }],
  },
  { provider: siteA, dependsOn: [namespaceA] },
);

// orders-a's credentials in site B: written through site B's provider, a Pulumi secret. Not
// orders-a's replicator password: orders-b streams as its own role, which logs in by its
// certificate and has no password. No superuser password either: orders-b's superuser logs in by
// peer in its pods and by its own client certificate (Secret orders-b-superuser) over TCP.
const sourceSecret = new k8s.core.v1.Secret(
  'orders-a-source',
  {
    metadata: { name: 'orders-a-source', namespace: nsB },
    type: 'Opaque',
    stringData: primary.replicationSource.apply((s) => ({
      ...(s?.credentials ?? {}),
      'replication-password': '',
    })),
  },
  { provider: siteB, dependsOn: [namespaceB] },
);

const replica = new PostgresCluster(
  'orders-b',
  {
    instances,
    platform: { kubernetes: { namespace: nsB, ...site('B') } },
    tls: { ca: groupCa },
    pooler: { enabled: config.getBoolean('pooler') ?? true },
    replica: {
      // orders-a's -rw Service (its replicationSource.host), known before anything exists.
      source: {
        host: `orders-a-rw.${nsA}.svc`,
        port: 5432,
        sslMode: 'verify-full',
        user: FEED_ROLE,
        secret: 'orders-a-source',
      },
      ...(config.getBoolean('promote') ? { primary: 'orders-b', force: true } : {}),
    },
  },
  { provider: siteB, dependsOn: [namespaceB, sourceSecret] },
);

export const primaryEndpoints = primary.endpoints;
export const replicaEndpoints = replica.endpoints;
export const sourceHost = primary.replicationSource.apply((s) => s?.host);
export const replicaReadOnly = replica.readOnly;
export const replicaPrimary = replica.primary;
