/**
 * The two shapes the schema generator works between: the JSON Schema that zod's `z.toJSONSchema`
 * emits (the subset our spec uses), and the Pulumi package schema
 * (https://www.pulumi.com/docs/iac/extending-pulumi/schema/, metaschema pkg/codegen/schema/pulumi.json).
 */

/** A node of the JSON Schema (draft 2020-12) that `z.toJSONSchema` produces. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  /** Set with zod's `.meta({ secret: true })`: the value is a Pulumi secret. */
  secret?: boolean;
  [annotation: string]: unknown;
}

export type PulumiPrimitive = 'boolean' | 'integer' | 'number' | 'string';

/** A Pulumi type reference: primitive, array, map, named ($ref) or union (oneOf). */
export interface TypeSpec {
  type?: PulumiPrimitive | 'array' | 'object';
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  $ref?: string;
  oneOf?: TypeSpec[];
}

/** A property of an object type or resource: a type reference plus its documentation. */
export interface PropertySpec extends TypeSpec {
  description?: string;
  default?: boolean | number | string;
  const?: boolean | number | string;
  secret?: boolean;
}

export interface ObjectTypeSpec {
  type: 'object';
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface EnumTypeSpec {
  type: PulumiPrimitive;
  description?: string;
  enum: Array<{ value: boolean | number | string; name?: string; description?: string }>;
}

export type ComplexTypeSpec = ObjectTypeSpec | EnumTypeSpec;

export interface ResourceSpec {
  isComponent?: boolean;
  description?: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface PackageSchema {
  name: string;
  version: string;
  description?: string;
  keywords?: string[];
  license?: string;
  language?: Record<string, unknown>;
  resources: Record<string, ResourceSpec>;
  types: Record<string, ComplexTypeSpec>;
}
