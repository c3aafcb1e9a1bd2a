/**
 * Structural checks of a Pulumi package schema, after the rules of Pulumi's metaschema
 * (pkg/codegen/schema/pulumi.json) and its binder: token shapes, one of the five type-reference
 * shapes per property (primitive, array, map, named, union), resolvable `$ref`s, defaults that
 * match their type, enum values of the enum's type, required keys that exist.
 * Returns every problem found, each naming its location; [] when the schema is sound.
 */
type Json = Record<string, unknown>;

const PRIMITIVES = ['boolean', 'integer', 'number', 'string'];
const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const BUILTIN_REFS = ['pulumi.json#/Any', 'pulumi.json#/Archive', 'pulumi.json#/Asset', 'pulumi.json#/Json'];
const TOP_KEYS = ['name', 'version', 'description', 'keywords', 'license', 'language', 'resources', 'types'];
const TYPE_KEYS = ['type', 'items', 'additionalProperties', '$ref', 'oneOf', 'plain'];
const PROPERTY_KEYS = [
  ...TYPE_KEYS,
  'description',
  'const',
  'default',
  'deprecationMessage',
  'secret',
  'language',
];
const RESOURCE_KEYS = [
  'description',
  'isComponent',
  'inputProperties',
  'requiredInputs',
  'properties',
  'required',
];

export function pulumiSchemaProblems(schema: Json): string[] {
  const problems: string[] = [];
  const types = (schema.types ?? {}) as Record<string, Json>;
  const name = String(schema.name);
  const extra = (where: string, node: Json, allowed: string[]) => {
    for (const key of Object.keys(node))
      if (!allowed.includes(key)) problems.push(`${where}: unexpected key ${key}`);
  };
  const token = (where: string, value: string) => {
    if (!TOKEN.test(value)) problems.push(`${where}: ${value} is not a valid token`);
    if (!value.startsWith(`${name}:`)) problems.push(`${where}: ${value} is not in package ${name}`);
  };

  const typeRef = (where: string, node: Json, allowed: string[]) => {
    extra(where, node, allowed);
    const has = (k: string) => node[k] !== undefined;
    if (has('$ref')) {
      if (has('items') || has('additionalProperties') || has('oneOf'))
        problems.push(`${where}: $ref with more`);
      const ref = String(node.$ref);
      const local = /^#\/types\/(.+)$/.exec(ref);
      if (local ? !types[local[1]!] : !BUILTIN_REFS.includes(ref))
        problems.push(`${where}: ${ref} unresolved`);
    } else if (has('oneOf')) {
      const options = node.oneOf as Json[];
      if (!Array.isArray(options) || options.length < 2)
        problems.push(`${where}: oneOf needs 2 or more types`);
      else options.forEach((o, i) => typeRef(`${where}.oneOf[${i}]`, o, TYPE_KEYS));
    } else if (node.type === 'array') {
      if (!node.items) problems.push(`${where}: array without items`);
      else typeRef(`${where}.items`, node.items as Json, TYPE_KEYS);
      if (has('additionalProperties')) problems.push(`${where}: array with additionalProperties`);
    } else if (node.type === 'object') {
      if (has('items')) problems.push(`${where}: map with items`);
      if (has('additionalProperties'))
        typeRef(`${where}.values`, node.additionalProperties as Json, TYPE_KEYS);
    } else if (!PRIMITIVES.includes(String(node.type))) {
      problems.push(`${where}: no type (${JSON.stringify(node)})`);
    }
  };

  const property = (where: string, node: Json) => {
    typeRef(where, node, PROPERTY_KEYS);
    for (const key of ['default', 'const']) {
      if (node[key] === undefined) continue;
      const value = node[key];
      const ok =
        node.type === 'integer'
          ? Number.isInteger(value)
          : PRIMITIVES.includes(String(node.type)) && typeof value === node.type;
      if (!ok) problems.push(`${where}: ${key} ${JSON.stringify(value)} does not match type ${node.type}`);
    }
  };

  const propertyMap = (where: string, map: unknown, required: unknown) => {
    const props = (map ?? {}) as Record<string, Json>;
    for (const [key, node] of Object.entries(props)) property(`${where}.${key}`, node);
    for (const key of (required ?? []) as string[]) {
      if (!props[key]) problems.push(`${where}: required ${key} is not a property`);
    }
  };

  extra('(package)', schema, TOP_KEYS);
  if (!/^[a-zA-Z][-a-zA-Z0-9_]*$/.test(name)) problems.push(`name ${name} is invalid`);
  if (!SEMVER.test(String(schema.version))) problems.push(`version ${schema.version} is not semver`);
  for (const [tok, resource] of Object.entries((schema.resources ?? {}) as Record<string, Json>)) {
    token(`resources`, tok);
    extra(tok, resource, RESOURCE_KEYS);
    propertyMap(`${tok}.inputProperties`, resource.inputProperties, resource.requiredInputs);
    propertyMap(`${tok}.properties`, resource.properties, resource.required);
  }
  for (const [tok, spec] of Object.entries(types)) {
    token('types', tok);
    if (spec.type === 'object') {
      extra(tok, spec, ['type', 'description', 'properties', 'required']);
      propertyMap(tok, spec.properties, spec.required);
    } else {
      extra(tok, spec, ['type', 'description', 'enum']);
      if (!PRIMITIVES.includes(String(spec.type))) problems.push(`${tok}: enum of type ${spec.type}`);
      const values = spec.enum as Json[] | undefined;
      if (!Array.isArray(values) || values.length === 0) problems.push(`${tok}: enum without values`);
      for (const v of values ?? []) {
        const ok = spec.type === 'integer' ? Number.isInteger(v.value) : typeof v.value === spec.type;
        if (!ok) problems.push(`${tok}: enum value ${JSON.stringify(v.value)} is not a ${spec.type}`);
      }
    }
  }
  return problems;
}
