/**
 * The base of every pgcluster resource: a Node dynamic resource in a TypeScript program (nothing to
 * install), or, inside the provider plugin (PGCLUSTER_RESOURCES=plugin, set by
 * bin/pulumi-resource-pgcluster before anything loads), a custom resource `pgcluster:index:<Type>`
 * that the engine routes back to the plugin. One implementation either way: the plugin's
 * check/diff/create/read/update/delete call the same providers (cmd/resources.ts), so a Python, Go or
 * YAML program, or a PostgresCluster the plugin constructs, never needs the Node dynamic-provider
 * plugin (pulumi/pulumi#5455).
 */
import * as pulumi from '@pulumi/pulumi';

export const PACKAGE = 'pgcluster';

/** True in the provider plugin's process. */
export function pluginMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PGCLUSTER_RESOURCES === 'plugin';
}

type DynamicResourceClass = typeof pulumi.dynamic.Resource;

class PluginResource extends pulumi.CustomResource {
  constructor(
    _provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
    _module?: string,
    type = 'Resource',
  ) {
    super(`${PACKAGE}:index:${type}`, name, props, opts);
  }
}

/** What every pgcluster resource class extends (the choice is made once, when the module loads). */
export const PgclusterResource: DynamicResourceClass = pluginMode()
  ? (PluginResource as unknown as DynamicResourceClass)
  : pulumi.dynamic.Resource;
