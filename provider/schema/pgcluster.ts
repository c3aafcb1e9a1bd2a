/**
 * The pgcluster package schema: the PostgresCluster component, its inputs from the cluster spec's
 * zod schemas (every description is the field's `.describe()` text) and its outputs.
 */
import { z } from 'zod';
import { TYPES } from '../naming';
import { clusterSpecSchema } from '../spec/cluster';
import { clusterOutputsSchema } from './outputs';
import {
  backupResourceInputs,
  backupResourceOutputs,
  clientCertificateResourceInputs,
  clientCertificateResourceOutputs,
  databaseResourceInputs,
  grantResourceInputs,
  roleResourceInputs,
  roleResourceOutputs,
} from './resources';
import { buildPackageSchema, schemaText } from './pulumi-schema';
import type { JsonSchema, PackageSchema } from './types';

/** The component's token, from the naming module: `pgcluster:index:PostgresCluster`. */
export const COMPONENT_TOKEN = TYPES.postgresCluster;
const [PACKAGE_NAME = '', , COMPONENT_NAME = ''] = COMPONENT_TOKEN.split(':');
export const NPM_PACKAGE_NAME = 'pulumi-pgcluster';
/** Module path of the generated Go SDK (sdk/go). */
export const GO_MODULE = 'github.com/pgcluster/pulumi-pgcluster/sdk/go';

/** The custom resources beside the component: the plugin serves them (cmd/resources.ts). */
export const CUSTOM_RESOURCES = [
  { name: TYPES.role, inputs: roleResourceInputs, outputs: roleResourceOutputs },
  { name: TYPES.database, inputs: databaseResourceInputs, outputs: databaseResourceInputs },
  { name: TYPES.grant, inputs: grantResourceInputs, outputs: grantResourceInputs },
  { name: TYPES.backup, inputs: backupResourceInputs, outputs: backupResourceOutputs },
  {
    name: TYPES.clientCertificate,
    inputs: clientCertificateResourceInputs,
    outputs: clientCertificateResourceOutputs,
  },
] as const;

/** What package.json contributes: the version, and the description and license when present. */
export interface PackageMetadata {
  version: string;
  description?: string;
  license?: string;
}

export function pgclusterSchema(meta: PackageMetadata): PackageSchema {
  return buildPackageSchema({
    name: PACKAGE_NAME,
    version: meta.version,
    description: meta.description,
    license: meta.license,
    keywords: ['pulumi', 'postgresql', 'patroni', 'category/database', 'kind/component'],
    language: {
      nodejs: { packageName: NPM_PACKAGE_NAME },
      go: { importBasePath: `${GO_MODULE}/pgcluster` },
      python: { packageName: 'pulumi_pgcluster' },
    },
    resourceName: COMPONENT_NAME,
    inputs: z.toJSONSchema(clusterSpecSchema, { io: 'input' }) as JsonSchema,
    outputs: z.toJSONSchema(clusterOutputsSchema, { io: 'output' }) as JsonSchema,
    // The component defaults `name` to the Pulumi resource name.
    optionalInputs: ['name'],
    customResources: CUSTOM_RESOURCES.map(({ name, inputs, outputs }) => ({
      name,
      inputs: z.toJSONSchema(inputs, { io: 'input' }) as JsonSchema,
      outputs: z.toJSONSchema(outputs, { io: 'output' }) as JsonSchema,
    })),
  });
}

/** The exact text of schema.json. */
export function pgclusterSchemaText(meta: PackageMetadata): string {
  return schemaText(pgclusterSchema(meta));
}
