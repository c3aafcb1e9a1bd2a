/**
 * A closure-free dynamic provider whose every method loads `impl` (an absolute path) inside the
 * dynamic-provider host and calls its check/diff/create/read/update/remove. Only the path string is
 * captured when Pulumi serializes the provider, never our modules.
 */
import type * as pulumi from '@pulumi/pulumi';

export function implProvider(impl: string): pulumi.dynamic.ResourceProvider {
  return {
    check: (olds, news) => require(impl).check(olds, news),
    diff: (id, olds, news) => require(impl).diff(id, olds, news),
    create: (inputs) => require(impl).create(inputs),
    read: (id, props) => require(impl).read(id, props),
    update: (id, olds, news) => require(impl).update(id, olds, news),
    delete: (id, props) => require(impl).remove(id, props),
  };
}
