/**
 * The provider plugin: serves the PostgresCluster component and the custom resources (Role,
 * Database, Grant, Backup, and the component's own children) to Pulumi programs in every language.
 * `getSchema` returns schema.json as checked in; `construct` builds the same component a
 * TypeScript program gets with `new PostgresCluster(...)` and hands back its outputs; the CRUD
 * calls run the same providers the TypeScript classes use (cmd/resources.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as pulumi from '@pulumi/pulumi';
import type * as provider from '@pulumi/pulumi/provider';
import type { ConstructResult, Provider } from '@pulumi/pulumi/provider';
import { customResourceMethods } from './resources';
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

  check(urn: string, olds: unknown, news: unknown): Promise<provider.CheckResult> {
    return customResourceMethods.check(urn, olds, news);
  }

  diff(id: string, urn: string, olds: unknown, news: unknown): Promise<provider.DiffResult> {
    return customResourceMethods.diff(id, urn, olds, news);
  }

  create(urn: string, inputs: unknown): Promise<provider.CreateResult> {
    return customResourceMethods.create(urn, inputs);
  }

  read(id: string, urn: string, props?: unknown): Promise<provider.ReadResult> {
    return customResourceMethods.read(id, urn, props);
  }

  update(id: string, urn: string, olds: unknown, news: unknown): Promise<provider.UpdateResult> {
    return customResourceMethods.update(id, urn, olds, news);
  }

  delete(id: string, urn: string, props: unknown): Promise<void> {
    return customResourceMethods.delete(id, urn, props);
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
      adminConnection: cluster.adminConnection,
      readOnly: cluster.readOnly,
      replicationSource: cluster.replicationSource,
    };
    return { urn: cluster.urn, state };
  }
}
