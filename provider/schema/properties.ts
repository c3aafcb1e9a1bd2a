/**
 * JSON Schema node → Pulumi property. Nested objects and string enums become named types
 * (`<pkg>:index:<Name>`, the name built from the property path: `synchronous.dataDurability` →
 * `SynchronousDataDurability`, items of `scheduling.tolerations` → `SchedulingToleration`; a zod
 * schema with `.meta({ id })` is named by its id). Records become maps (`additionalProperties`),
 * unions of primitives `oneOf`, values of any shape (`z.unknown()`) `pulumi.json#/Any`.
 * Anything else throws, naming the property, so an unrepresentable spec change fails loudly.
 */
import type { ComplexTypeSpec, JsonSchema, PropertySpec, PulumiPrimitive, TypeSpec } from './types';

export const ANY_TYPE = 'pulumi.json#/Any';

const PRIMITIVES: readonly string[] = ['boolean', 'integer', 'number', 'string'];
/** JSON Schema keywords with a meaning our converter would silently drop: refuse them. */
const UNSUPPORTED = [
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'prefixItems',
  'dependentSchemas',
];

/** Named types collected while converting, shared by the inputs and the outputs of a package. */
export interface TypeCollector {
  packageName: string;
  types: Map<string, { spec: ComplexTypeSpec; origin: string }>;
}

/** One conversion: the collector plus the `$defs` of the JSON Schema document being converted. */
export interface Conversion {
  collector: TypeCollector;
  defs: Record<string, JsonSchema>;
}

export function toProperty(node: JsonSchema, path: readonly string[], conv: Conversion): PropertySpec {
  const spec: PropertySpec = { ...toTypeSpec(node, path, conv) };
  // A field whose schema has an id is a bare $ref: its description is the referenced definition's.
  const described =
    node.description ??
    (node.$ref ? conv.defs[node.$ref.replace(/^#\/\$defs\//, '')]?.description : undefined);
  if (typeof described === 'string' && described !== '') spec.description = described;
  const defaultValue = primitiveValueOf(spec, node.default);
  if (defaultValue !== undefined) spec.default = defaultValue;
  const constValue = primitiveValueOf(spec, node.const);
  if (constValue !== undefined) spec.const = constValue;
  if (node.secret === true) spec.secret = true;
  return spec;
}

export function toTypeSpec(node: JsonSchema, path: readonly string[], conv: Conversion): TypeSpec {
  const where = path.join('.') || '(root)';
  for (const keyword of UNSUPPORTED) {
    if (node[keyword] !== undefined)
      throw new Error(`${where}: JSON Schema "${keyword}" has no Pulumi equivalent`);
  }
  if (node.$ref !== undefined) return { $ref: refToDef(node.$ref, where, conv) };
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives)
    return unionOf(
      alternatives.filter((a) => a.type !== 'null'),
      path,
      conv,
    );
  if (node.enum) return { $ref: enumType(node, path, conv) };

  const types = (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []).filter(
    (t) => t !== 'null',
  );
  if (types.length === 0) return { $ref: ANY_TYPE };
  if (types.length > 1) {
    if (!types.every((t) => PRIMITIVES.includes(t)))
      throw new Error(`${where}: a union of ${types} is not supported`);
    return { oneOf: types.map((t) => ({ type: t as PulumiPrimitive })) };
  }
  const [type] = types as [string];
  if (PRIMITIVES.includes(type)) return { type: type as PulumiPrimitive };
  if (type === 'array') {
    if (!node.items) throw new Error(`${where}: an array without "items" is not supported`);
    return { type: 'array', items: toTypeSpec(node.items, itemPath(path), conv) };
  }
  if (type === 'object') return objectOrMap(node, path, conv);
  throw new Error(`${where}: JSON Schema type "${type}" is not supported`);
}

function unionOf(alternatives: JsonSchema[], path: readonly string[], conv: Conversion): TypeSpec {
  const [only] = alternatives;
  if (alternatives.length === 1 && only) return toTypeSpec(only, path, conv);
  return { oneOf: alternatives.map((a, i) => toTypeSpec(a, [...path, `option${i + 1}`], conv)) };
}

function objectOrMap(node: JsonSchema, path: readonly string[], conv: Conversion): TypeSpec {
  const where = path.join('.');
  if (node.properties) return { $ref: objectType(node, path, conv) };
  const keys = node.propertyNames;
  if (keys && keys.type !== 'string') throw new Error(`${where}: map keys must be strings`);
  const values = typeof node.additionalProperties === 'object' ? node.additionalProperties : {};
  return { type: 'object', additionalProperties: toTypeSpec(values, [...path, 'value'], conv) };
}

function objectType(node: JsonSchema, path: readonly string[], conv: Conversion): string {
  const token = `${conv.collector.packageName}:index:${typeName(path)}`;
  const origin = path.join('.');
  if (claim(token, origin, conv)) {
    const spec: ComplexTypeSpec = { type: 'object', properties: {} };
    if (node.description) spec.description = node.description;
    conv.collector.types.set(token, { spec, origin }); // before the properties: a recursive type finds itself
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      spec.properties[key] = toProperty(child, [...path, key], conv);
    }
    if (node.required && node.required.length > 0) spec.required = [...node.required];
  }
  return `#/types/${token}`;
}

function enumType(node: JsonSchema, path: readonly string[], conv: Conversion): string {
  const values = node.enum ?? [];
  const where = path.join('.');
  if (!values.every((v) => typeof v === 'string'))
    throw new Error(`${where}: only string enums are supported`);
  const token = `${conv.collector.packageName}:index:${typeName(path)}`;
  if (claim(token, where, conv)) {
    const spec: ComplexTypeSpec = {
      type: 'string',
      enum: values.map((value) => ({ value: value as string })),
    };
    if (node.description) spec.description = node.description;
    conv.collector.types.set(token, { spec, origin: where });
  }
  return `#/types/${token}`;
}

function refToDef(ref: string, where: string, conv: Conversion): string {
  const match = /^#\/\$defs\/(.+)$/.exec(ref);
  const name = match?.[1];
  const def = name === undefined ? undefined : conv.defs[name];
  if (name === undefined || !def) throw new Error(`${where}: cannot resolve $ref ${ref}`);
  if (def.enum) return enumType(def, [name], conv);
  if (def.type !== 'object' || !def.properties)
    throw new Error(`${where}: $ref ${ref} must name an object or enum`);
  return objectType(def, [name], conv);
}

/** True when the token is free (the caller defines it); false when this origin already defined it. */
function claim(token: string, origin: string, conv: Conversion): boolean {
  const existing = conv.collector.types.get(token);
  if (!existing) return true;
  if (existing.origin === origin) return false;
  throw new Error(`type ${token} would be defined twice: by ${existing.origin} and by ${origin}`);
}

/** `['platform', 'kubernetes', 'endpoint']` → `PlatformKubernetesEndpoint`. */
export function typeName(path: readonly string[]): string {
  return path
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** The path naming the items of an array: `tolerations` → `toleration`, `pgHba` → `pgHbaItem`. */
export function itemPath(path: readonly string[]): string[] {
  const last = path[path.length - 1] ?? 'items';
  const singular = last.endsWith('ies')
    ? `${last.slice(0, -3)}y`
    : last.endsWith('s') && !last.endsWith('ss')
      ? last.slice(0, -1)
      : `${last}Item`;
  return [...path.slice(0, -1), singular];
}

/** A default or const value Pulumi can carry: a primitive matching a primitive-typed property. */
function primitiveValueOf(spec: TypeSpec, value: unknown): boolean | number | string | undefined {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'number':
      return typeof value === 'number' ? value : undefined;
    case 'integer':
      return Number.isInteger(value) ? (value as number) : undefined;
    default:
      return undefined;
  }
}
