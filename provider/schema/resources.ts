/**
 * The custom resources the provider plugin serves, as the package schema describes them: their
 * inputs are the cluster spec's own entries (roles[], databases[], grants[]: every field's
 * `.describe()` text, written once) with a `connection` and, for a role, its password as a secret;
 * their outputs echo the inputs with what the resource computes. Pure.
 */
import { z } from 'zod';
import { roleSchema } from '../spec/roles';
import { databaseSchema } from '../spec/databases';
import { grantSchema } from '../spec/grants';
import { BACKUP_TYPES } from '../spec/backup';
import { DNS_1035_LABEL } from '../spec/cluster';

export const sqlConnectionSchema = z
  .strictObject({
    host: z.string().optional().describe('One server: its host (with port).'),
    port: z.int().optional().describe('Its port.'),
    endpoints: z
      .string()
      .optional()
      .describe(
        '`host:port[,host:port...]`: the first read-write server among them (as target_session_attrs).',
      ),
    kubernetes: z
      .strictObject({
        namespace: z.string().describe('The namespace of the pods.'),
        pods: z.array(z.string()).describe('The member pods: the read-write one among them is used.'),
        port: z.int().describe("PostgreSQL's port in the pods."),
        kubeconfig: z
          .string()
          .meta({ secret: true })
          .optional()
          .describe(
            "A kubeconfig's text or its file's path (a secret). @default - the default kubeconfig (KUBECONFIG, ~/.kube/config)",
          ),
        context: z.string().optional().describe('Its context. @default - its current context'),
      })
      .meta({ id: 'SqlConnectionKubernetes' })
      .optional()
      .describe(
        'Pods reached by port-forward through the Kubernetes API (a PostgresCluster on Kubernetes sets it in adminConnection).',
      ),
    user: z
      .string()
      .describe(
        "A role that may create roles and databases: a PostgresCluster's superuser, or one with CREATEROLE/CREATEDB.",
      ),
    password: z.string().meta({ secret: true }).describe("That role's password (a secret)."),
    database: z
      .string()
      .optional()
      .describe('The database roles and databases are managed from. @default - postgres'),
    ca: z
      .string()
      .optional()
      .describe(
        "PEM of the CA that signed the server's certificate: connect with TLS and verify the server (a PostgresCluster under tls sets it). Absent: no TLS.",
      ),
  })
  .meta({ id: 'SqlConnection' })
  .describe(
    'Where the SQL runs: exactly one of host (with port), endpoints or kubernetes. It is where the object lives, ' +
      'not part of it: changing only the connection changes nothing.',
  );

const connection = { connection: sqlConnectionSchema };

export const roleResourceInputs = roleSchema
  .omit({ password: true })
  .extend({
    ...connection,
    password: z
      .string()
      .meta({ secret: true })
      .optional()
      .describe(
        "The role's password (a secret): the server gets its SCRAM-SHA-256 verifier, set with statement " +
          'logging off; the state keeps a salted hash to notice a change. Absent: the password is not managed.',
      ),
  })
  .describe(
    'A PostgreSQL role, kept exactly as declared: attributes, memberships (inRoles) and comment. `pulumi refresh` reads it back.',
  );

export const roleResourceOutputs = roleResourceInputs.extend({
  passwordHash: z
    .string()
    .meta({ secret: true })
    .optional()
    .describe('Salted hash of the password set (a secret).'),
});

export const databaseResourceInputs = databaseSchema
  .extend(connection)
  .describe(
    'A PostgreSQL database, its schemas and extensions, kept as declared. `pulumi refresh` reads it back.',
  );

export const grantResourceInputs = grantSchema
  .extend(connection)
  .describe(
    'Privileges of a role on a target, exactly: privileges not listed are revoked; deleting the resource revokes them.',
  );

/** A cluster on Kubernetes, as the Backup and ClientCertificate resources reach it. */
const kubernetesTarget = z.strictObject({
  namespace: z.string().describe('The namespace of the cluster.'),
  context: z.string().optional().describe('The kubeconfig context. @default - its current context'),
  kubeconfig: z
    .string()
    .meta({ secret: true })
    .optional()
    .describe(
      'A kubeconfig (its text; a secret). @default - the default kubeconfig (KUBECONFIG, ~/.kube/config)',
    ),
});

export const backupResourceInputs = z
  .strictObject({
    cluster: z.string().regex(DNS_1035_LABEL).describe("The cluster to back up: a PostgresCluster's `name`."),
    stateDir: z
      .string()
      .optional()
      .describe(
        'Where the local platform keeps it. @default - the default state dir (PGCLUSTER_STATE_DIR, else ~/.pgcluster)',
      ),
    kubernetes: kubernetesTarget
      .optional()
      .describe(
        'A cluster on Kubernetes: the backup runs in a member pod (a streaming replica with backup.fromStandby). Absent: the local platform.',
      ),
    type: z
      .enum(BACKUP_TYPES)
      .default('full')
      .describe('full, diff (changes since the last full) or incr (since the last backup). @default - full'),
    trigger: z
      .string()
      .optional()
      .describe('Any value; a change takes a new backup (the resource is replaced).'),
  })
  .describe(
    'A backup of a cluster, taken when the resource is created (or replaced). Deleting it deletes nothing: ' +
      "backups leave the repository by the cluster's backup.retention.",
  );

export const clientCertificateResourceInputs = z
  .strictObject({
    cluster: z
      .string()
      .regex(DNS_1035_LABEL)
      .describe("The cluster whose CA signs it: a PostgresCluster's `name` (with `tls`)."),
    stateDir: z
      .string()
      .optional()
      .describe(
        'Where the local platform keeps it. @default - the default state dir (PGCLUSTER_STATE_DIR, else ~/.pgcluster)',
      ),
    kubernetes: kubernetesTarget
      .optional()
      .describe(
        "A cluster on Kubernetes: the CA Secret it names (`<name>-ca`, or tls.ca.secret's) is read through the API server " +
          'when the certificate is issued, and its key never enters the Pulumi state. Absent: the local platform; not with stateDir.',
      ),
    user: z.string().describe('The role it logs in as (its CN); list it in tls.clientAuth.users.'),
    days: z
      .int()
      .default(365)
      .describe('Validity in days, above 30 (renewed 30 days before it expires). @default - 365'),
    trigger: z.string().optional().describe('Any value; a change issues a new certificate.'),
  })
  .describe(
    "A client certificate signed by the cluster's CA, for certificate auth (`pgcluster certificate` as a resource), " +
      'on the local platform or on Kubernetes.',
  );

export const clientCertificateResourceOutputs = clientCertificateResourceInputs.extend({
  certificate: z.string().describe('PEM certificate.'),
  privateKey: z.string().meta({ secret: true }).describe('PEM (PKCS#8) private key: a secret.'),
  ca: z.string().describe("The cluster's CA certificate (sslrootcert)."),
  notAfter: z.string().describe('When it expires (ISO 8601).'),
});

export const backupResourceOutputs = backupResourceInputs.extend({
  label: z.string().describe("pgBackRest's label, e.g. 20261201-101500F."),
  backupType: z
    .enum(BACKUP_TYPES)
    .describe('The type taken (an incr or diff with no full before it becomes a full).'),
  lsnStart: z.string().describe('WAL position where the backup starts.'),
  lsnStop: z.string().describe('WAL position where it is consistent.'),
  size: z.number().describe('Size of the database, bytes.'),
  repoSize: z.number().describe('What the backup takes in the repository, bytes.'),
  startedAt: z.string().describe('When it started (ISO 8601).'),
  stoppedAt: z.string().describe('When it stopped (ISO 8601).'),
});
