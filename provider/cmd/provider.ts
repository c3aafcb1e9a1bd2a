/**
 * The provider plugin: serves the PostgresCluster component to Pulumi programs in every language.
 * `getSchema` returns schema.json as checked in; `construct` builds the same component a
 * TypeScript program gets with `new PostgresCluster(...)` and hands back its outputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import type { ConstructResult, Provider } from '@pulumi/pulumi/provider';
import { POSTGRES_CLUSTER_TYPE, PostgresCluster, type PostgresClusterArgs } from '../pulumi/component';
import type { ClusterOutputName } from '../schema/outputs';

/** The package root (package.json, schema.json): two levels above both provider/cmd/ and dist/cmd/. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

export class PgclusterProvider implements Provider {
  readonly version: string;

  constructor(private readonly root: string = PACKAGE_ROOT) {
    this.version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  }

  async getSchema(): Promise<string> {
    return readFileSync(join(this.root, 'schema.json'), 'utf8');
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<ConstructResult> {
    if (type !== POSTGRES_CLUSTER_TYPE) {
      throw new Error(`unknown resource type ${type}: this provider serves ${POSTGRES_CLUSTER_TYPE}`);
    }
    const cluster = new PostgresCluster(name, inputs as PostgresClusterArgs, { ...options });
    // Exactly the outputs schema.json declares: a key missing here or on the component fails the type check.
    const state: Record<ClusterOutputName, pulumi.Input<unknown>> = {
      endpoints: cluster.endpoints,
      primary: cluster.primary,
      connectionUri: cluster.connectionUri,
      appSecretName: cluster.appSecretName,
      superuserSecretName: cluster.superuserSecretName,
    };
    return { urn: cluster.urn, state };
  }
}
