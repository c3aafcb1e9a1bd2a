/**
 * A generated password kept in the Pulumi state as a secret: created once, never changed by a later
 * `up`. A dynamic resource (no provider plugin to install); closure-free so it serializes.
 */
import * as pulumi from '@pulumi/pulumi';
import { PgclusterResource } from './resource-base';
import { TYPES } from '../naming';

export const passwordProvider: pulumi.dynamic.ResourceProvider = {
  async create() {
    const crypto = require('node:crypto');
    return {
      id: crypto.randomBytes(8).toString('hex'),
      outs: { value: crypto.randomBytes(24).toString('base64url') },
    };
  },
  async diff() {
    return { changes: false };
  },
};

export class GeneratedPassword extends PgclusterResource {
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super(
      passwordProvider,
      name,
      { value: undefined },
      { ...opts, additionalSecretOutputs: ['value'] },
      TYPES.dynamicModule,
      TYPES.password,
    );
  }
}
