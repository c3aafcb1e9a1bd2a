/**
 * A Pulumi package schema for one component resource, built from the JSON Schemas of its inputs and
 * outputs (as `z.toJSONSchema` emits them). Pure: the caller supplies every value; the result is
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
}

export function buildPackageSchema(pkg: ComponentPackage): PackageSchema {
  const collector: TypeCollector = { packageName: pkg.name, types: new Map() };
  const inputs = propertiesOf(pkg.inputs, 'inputs', collector);
  const outputs = propertiesOf(pkg.outputs, 'outputs', collector);

  const optional = new Set(pkg.optionalInputs ?? []);
  const requiredInputs = (pkg.inputs.required ?? []).filter((key) => !optional.has(key));
  const required = pkg.outputs.required ?? [];
  const resource: ResourceSpec = {
    ...(pkg.inputs.description !== undefined && { description: pkg.inputs.description }),
    isComponent: true,
    inputProperties: inputs,
    ...(requiredInputs.length > 0 && { requiredInputs }),
    properties: outputs,
    ...(required.length > 0 && { required: [...required] }),
  };

  const types = [...collector.types.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Key order of the document: metadata, then the resource, then its types.
  return {
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description !== undefined && { description: pkg.description }),
    ...(pkg.keywords !== undefined && { keywords: [...pkg.keywords] }),
    ...(pkg.license !== undefined && { license: pkg.license }),
    ...(pkg.language !== undefined && { language: pkg.language }),
    resources: { [`${pkg.name}:index:${pkg.resourceName}`]: resource },
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
): Record<string, PropertySpec> {
  if (root.type !== 'object' || !root.properties) throw new Error(`the ${what} must be an object schema`);
  const conv: Conversion = { collector, defs: root.$defs ?? {} };
  return Object.fromEntries(
    Object.entries(root.properties).map(([key, node]) => [key, toProperty(node, [key], conv)]),
  );
}
