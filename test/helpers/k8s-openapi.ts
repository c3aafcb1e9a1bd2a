/**
 * Validates a Kubernetes object against the Kubernetes OpenAPI schemas (kubernetes-models), and a
 * custom resource against its CRD's structural schema (customResourceIssues).
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/Deployment': Deployment,
  'batch/v1/CronJob': CronJob,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** Throws with the schema's message when the object is not valid; also refuses unknown kinds. */
export function validateKubernetesObject(object: Record<string, unknown>): void {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no OpenAPI model for ${key}`);
  new Model(object as never).validate();
}

/** The subset of a CRD's structural schema (OpenAPI v3) that validateCustomResource checks. */
interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema;
  required?: string[];
  items?: StructuralSchema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

function schemaIssues(value: unknown, schema: StructuralSchema, path: string): string[] {
  const type = Array.isArray(value) ? 'array' : typeof value;
  if (schema.type === 'integer' ? !Number.isInteger(value) : schema.type && schema.type !== type)
    return [`${path}: ${JSON.stringify(value)} is not of type ${schema.type}`];
  const issues: string[] = [];
  if (schema.enum && !schema.enum.includes(value))
    issues.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern).test(value))
    issues.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  if (
    typeof value === 'number' &&
    (value < (schema.minimum ?? -Infinity) || value > (schema.maximum ?? Infinity))
  )
    issues.push(`${path}: ${value} is out of range`);
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => issues.push(...schemaIssues(v, schema.items!, `${path}[${i}]`)));
  if (type === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) issues.push(`${path}.${key}: is required`);
    for (const [key, v] of Object.entries(object)) {
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      // A structural schema prunes what it does not declare: for us that is a field the CRD lacks.
      if (!sub) issues.push(`${path}.${key}: is not a field of the CRD (it would be pruned)`);
      else issues.push(...schemaIssues(v, sub, `${path}.${key}`));
    }
  }
  return issues;
}

/** The issues of a custom resource against its CRD (a parsed CustomResourceDefinition); [] when valid. */
export interface CustomResourceDefinition {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; schema: { openAPIV3Schema: StructuralSchema } }>;
  };
}

export function customResourceIssues(
  object: Record<string, unknown>,
  crd: CustomResourceDefinition,
): string[] {
  const [group, version] = String(object.apiVersion).split('/');
  if (group !== crd.spec.group || object.kind !== crd.spec.names.kind)
    return [`${String(object.apiVersion)} ${String(object.kind)} is not the CRD's kind`];
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) return [`version ${version} is not served by the CRD`];
  // The API server validates metadata as an ObjectMeta (never pruned): so do we, through a ConfigMap.
  try {
    validateKubernetesObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: object.metadata });
  } catch (e) {
    return [`.metadata: ${(e as Error).message}`];
  }
  const { metadata: _m, ...rest } = object;
  return schemaIssues(rest, served.schema.openAPIV3Schema, '');
}
