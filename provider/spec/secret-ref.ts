import { z } from 'zod';

/**
 * Where pgcluster reads a secret when it applies the spec: exactly one of an environment variable
 * or a file. The secret itself never appears in the spec, in cluster.json or in a process argument;
 * in the Pulumi component it becomes a Pulumi secret.
 */
export function secretRefSchema(what: string, handling: string) {
  return z
    .strictObject({
      fromEnv: z
        .string()
        .optional()
        .describe(
          `Name of an environment variable of the \`pgcluster\` process (or Pulumi program) that holds ${what}.`,
        ),
      fromFile: z
        .string()
        .optional()
        .describe(
          `Path of a file that holds ${what} (one trailing newline is ignored); a relative path is ` +
            'relative to the spec file (the Pulumi program directory in the component).',
        ),
    })
    .describe(`Where ${what} is read at apply time: exactly one of fromEnv, fromFile. ${handling}`);
}

export type SecretRef = { fromEnv?: string; fromFile?: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rule every secret reference follows; `undefined` when it is fine. */
export function secretRefIssue(
  path: string,
  ref: SecretRef | undefined,
): { path: string; message: string } | undefined {
  if (!ref) return undefined;
  const shown = JSON.stringify(ref);
  if ((ref.fromEnv === undefined) === (ref.fromFile === undefined))
    return { path, message: `${shown} is not allowed: set exactly one of fromEnv, fromFile` };
  if (ref.fromEnv !== undefined && !ENV_NAME.test(ref.fromEnv))
    return {
      path: `${path}.fromEnv`,
      message: `${JSON.stringify(ref.fromEnv)} is not allowed: must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`,
    };
  if (ref.fromFile !== undefined && (ref.fromFile === '' || /[\0\r\n]/.test(ref.fromFile)))
    return {
      path: `${path}.fromFile`,
      message: `${JSON.stringify(ref.fromFile)} is not allowed: must be a file path on one line`,
    };
  return undefined;
}
