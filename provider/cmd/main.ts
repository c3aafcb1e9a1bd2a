/**
 * Entry point of the provider plugin `pulumi-resource-pgcluster`: serves the provider over gRPC,
 * printing its port on stdout for the engine, until the engine stops it.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterProvider } from './provider';

export function main(args: string[]): Promise<void> {
  return pulumi.provider.main(new PgclusterProvider(), args);
}
