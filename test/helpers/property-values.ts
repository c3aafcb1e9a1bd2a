/**
 * Property values as the engine sends them to a resource provider and reads them back: secrets and
 * unknowns are objects/strings marked with Pulumi's special signatures. A provider that does not
 * accept secrets (the Node.js dynamic-provider host) gets secrets as plain values, and the engine
 * marks outputs secret again where the inputs of the same name were (`annotateSecrets` in the
 * engine's provider_plugin.go). Plain JSON values pass through.
 */
import { specialSecretSig, specialSigKey, unknownValue } from '@pulumi/pulumi/runtime/rpc';

/** A secret value, as the engine tracks it. */
export class Secret<T = unknown> {
  constructor(readonly value: T) {}
}

export function secret<T>(value: T): Secret<T> {
  return new Secret(value);
}

/** A value not known yet (during a preview). */
export const UNKNOWN = Symbol('unknown');

export type PropertyMap = Record<string, unknown>;

export interface MarshalOptions {
  /** The provider accepts secrets (ConfigureResponse.acceptSecrets): send them marked. */
  keepSecrets: boolean;
  /** A preview: unknowns may be sent. Otherwise an unknown is a mistake of the caller. */
  keepUnknowns: boolean;
}

/** Engine values → the JavaScript form of the protobuf Struct sent to the provider. */
export function marshalProperties(props: PropertyMap, options: MarshalOptions): PropertyMap {
  return marshal(props, options, '') as PropertyMap;
}

function marshal(value: unknown, options: MarshalOptions, path: string): unknown {
  if (value instanceof Secret) {
    const inner = marshal(value.value, options, path);
    return options.keepSecrets ? { [specialSigKey]: specialSecretSig, value: inner } : inner;
  }
  if (value === UNKNOWN) {
    if (!options.keepUnknowns) throw new Error(`${path}: unknown value outside a preview`);
    return unknownValue;
  }
  if (Array.isArray(value)) return value.map((v, i) => marshal(v, options, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const out: PropertyMap = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) out[key] = marshal(v, options, path ? `${path}.${key}` : key);
    }
    return out;
  }
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  throw new Error(`${path}: ${typeof value} is not a property value`);
}

/** The JavaScript form of a Struct from the provider → engine values (Secret, UNKNOWN). */
export function unmarshalProperties(props: PropertyMap, keepUnknowns: boolean): PropertyMap {
  return unmarshal(props, keepUnknowns, '') as PropertyMap;
}

function unmarshal(value: unknown, keepUnknowns: boolean, path: string): unknown {
  if (value === unknownValue) {
    if (!keepUnknowns) throw new Error(`${path}: the provider returned an unknown value outside a preview`);
    return UNKNOWN;
  }
  if (Array.isArray(value)) return value.map((v, i) => unmarshal(v, keepUnknowns, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const sig = value[specialSigKey];
    if (sig === specialSecretSig) return secret(unmarshal(value.value, keepUnknowns, path));
    if (sig !== undefined) throw new Error(`${path}: values with signature ${String(sig)} are not supported`);
    const out: PropertyMap = {};
    for (const [key, v] of Object.entries(value))
      out[key] = unmarshal(v, keepUnknowns, path ? `${path}.${key}` : key);
    return out;
  }
  return value;
}

export function containsSecrets(value: unknown): boolean {
  if (value instanceof Secret) return true;
  if (Array.isArray(value)) return value.some(containsSecrets);
  if (isPlainObject(value)) return Object.values(value).some(containsSecrets);
  return false;
}

/**
 * The engine's rule for a provider that cannot take secrets: an output whose input of the same
 * key contained a secret becomes secret; objects on both sides are followed key by key.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): void {
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in outs)) continue;
    const outValue = outs[key];
    if (isPlainObject(outValue) && isPlainObject(inValue)) annotateSecrets(outValue, inValue);
    else if (!(outValue instanceof Secret) && containsSecrets(inValue)) outs[key] = secret(outValue);
  }
}

/** The values with every Secret unwrapped, for assertions. */
export function reveal(value: unknown): unknown {
  if (value instanceof Secret) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

function isPlainObject(value: unknown): value is PropertyMap {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
