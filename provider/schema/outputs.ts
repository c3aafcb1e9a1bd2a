/**
 * The outputs of a PostgresCluster, documented once here: schema.json derives from this schema, and
 * the plugin's `construct` maps exactly these keys (a missing or extra key fails the type check).
 */
import { z } from 'zod';
import { sqlConnectionSchema } from './resources';

export const clusterEndpointsSchema = z
  .object({
    rw: z.string().describe('host:port of the read-write endpoint: the primary.'),
    ro: z.string().describe('host:port of the read-only endpoint: the replicas.'),
    r: z.string().describe('host:port of the endpoint that reaches any member.'),
    pooler: z.string().optional().describe('host:port of the pooler (PgBouncer), when `pooler` is enabled.'),
  })
  .meta({ id: 'ClusterEndpoints' })
  .describe('Where clients connect.');

export const replicationSourceSchema = z
  .object({
    host: z
      .string()
      .describe("The source's read-write Service, `<name>-rw.<namespace>.svc` (replica.source.host)."),
    port: z.number().describe('Its port (replica.source.port).'),
    credentials: z
      .record(z.string(), z.string())
      .describe(
        'The keys of the Secret a replica cluster names as replica.source.secret: ' +
          "`replication-password`, `rewind-password` (this cluster's role passwords, which its copies keep; " +
          'never the superuser password: a replica cluster logs in as its superuser with its own client certificate).',
      ),
  })
  .meta({ id: 'ReplicationSource' })
  .describe(
    'What a replica cluster of this one (platform.kubernetes) is given: the address and the credentials.',
  );

export const clusterOutputsSchema = z.object({
  endpoints: clusterEndpointsSchema,
  primary: z.string().describe('The member that is primary, as last observed.'),
  connectionUri: z
    .string()
    .meta({ secret: true })
    .describe('libpq URI of the application database through the rw endpoint, password included (secret).'),
  appSecretName: z
    .string()
    .optional()
    .describe('Kubernetes Secret holding the application credentials (kubernetes platform).'),
  superuserSecretName: z
    .string()
    .optional()
    .describe('Kubernetes Secret holding the superuser credentials (kubernetes platform).'),
  adminConnection: sqlConnectionSchema
    .meta({ secret: true })
    .describe(
      "The superuser's connection to the primary (a secret): what the component's own Role, Database and " +
        'Grant children use, for standalone ones of your own.',
    ),
  readOnly: z
    .boolean()
    .describe(
      'True while the cluster is a replica cluster (replica, not named by replica.primary): read-only.',
    ),
  replicationSource: replicationSourceSchema
    .optional()
    .meta({ secret: true })
    .describe(
      'On platform.kubernetes: the address and credentials a replica cluster of this one needs (a secret), ' +
        'known once this cluster is healthy; write the credentials as a Secret in its namespace and name it ' +
        'replica.source.secret.',
    ),
});

export type ClusterOutputs = z.output<typeof clusterOutputsSchema>;
export type ClusterOutputName = keyof ClusterOutputs;
