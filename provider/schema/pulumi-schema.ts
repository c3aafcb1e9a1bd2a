/**
 * A Pulumi package schema: a component resource and custom resources, each built from the JSON
 * Schemas of its inputs and outputs (as `z.toJSONSchema` emits them). Pure: the caller supplies every value; the result is
 * deterministic (properties in declaration order, types sorted by token) so the checked-in
 * schema.json only changes when the spec does.
 */
import { toProperty, type Conversion, type TypeCollector } from './properties';
import type { JsonSchema, PackageSchema, PropertySpec, ResourceSpec } from './types';

export interface ComponentPackage {
  /** Package name, the first part of every token (`pgcluster`). */
  name: string;
  version: string;
  description?: string;
  license?: string;
  keywords?: string[];
  /** `language` section, e.g. `{ nodejs: { packageName: 'pulumi-pgcluster' } }`. */
  language?: Record<string, unknown>;
  /** The component's type name (`PostgresCluster` → token `pgcluster:index:PostgresCluster`). */
  resourceName: string;
  /** JSON Schema of the inputs: an object; its description documents the resource. */
  inputs: JsonSchema;
  /** JSON Schema of the outputs: an object. */
  outputs: JsonSchema;
  /** Inputs the JSON Schema requires but the component fills in itself (e.g. `name`). */
  optionalInputs?: readonly string[];
  /** Custom resources the provider serves beside the component. */
  customResources?: readonly ResourceSource[];
}

/** One custom resource: its type name and the JSON Schemas of its inputs and outputs. */
export interface ResourceSource {
  name: string;
  inputs: JsonSchema;
  outputs: JsonSchema;
  optionalInputs?: readonly string[];
}

function resourceOf(src: ResourceSource, isComponent: boolean, collector: TypeCollector): ResourceSpec {
  // A custom resource's types are named from its own name (`Role` + `ensure` → `RoleEnsure`).
  const prefix = isComponent ? [] : [src.name.charAt(0).toLowerCase() + src.name.slice(1)];
  const inputs = propertiesOf(src.inputs, `${src.name} inputs`, collector, prefix);
  const outputs = propertiesOf(src.outputs, `${src.name} outputs`, collector, prefix);
  const optional = new Set(src.optionalInputs ?? []);
  const requiredInputs = (src.inputs.required ?? []).filter((key) => !optional.has(key));
  const required = src.outputs.required ?? [];
  return {
    ...(src.inputs.description !== undefined && { description: src.inputs.description }),
    ...(isComponent && { isComponent: true }),
    inputProperties: inputs,
    ...(requiredInputs.length > 0 && { requiredInputs }),
    properties: outputs,
    ...(required.length > 0 && { required: [...required] }),
  };
}

export function buildPackageSchema(pkg: ComponentPackage): PackageSchema {
  const collector: TypeCollector = { packageName: pkg.name, types: new Map() };
  const component = resourceOf(
    { name: pkg.resourceName, inputs: pkg.inputs, outputs: pkg.outputs, optionalInputs: pkg.optionalInputs },
    true,
    collector,
  );
  const custom = (pkg.customResources ?? []).map(
    (r) => [`${pkg.name}:index:${r.name}`, resourceOf(r, false, collector)] as const,
  );

  const types = [...collector.types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Key order of the document: metadata, then the resource, then its types.
  return {
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description !== undefined && { description: pkg.description }),
    ...(pkg.keywords !== undefined && { keywords: [...pkg.keywords] }),
    ...(pkg.license !== undefined && { license: pkg.license }),
    ...(pkg.language !== undefined && { language: pkg.language }),
    resources: Object.fromEntries([[`${pkg.name}:index:${pkg.resourceName}`, component], ...custom]),
    types: Object.fromEntries(types.map(([token, { spec }]) => [token, spec])),
  };
}

/** The text of schema.json: two-space JSON and a final newline. */
export function schemaText(schema: PackageSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function propertiesOf(
  root: JsonSchema,
  what: string,
  collector: TypeCollector,
  prefix: readonly string[] = [],
): Record<string, PropertySpec> {
  if (root.type !== 'object' || !root.properties) throw new Error(`the ${what} must be an object schema`);
  const conv: Conversion = { collector, defs: root.$defs ?? {} };
  return Object.fromEntries(
    Object.entries(root.properties).map(([key, node]) => [key, toProperty(node, [...prefix, key], conv)]),
  );
}
