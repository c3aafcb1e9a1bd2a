/**
 * A step: one SQL statement an executor runs, built by the pure statement builders from a plan.
 * Steps are data (no closures), so a plan can be shown, counted, compared and serialized.
 */

export type StepKind =
  | 'create-role'
  | 'alter-role'
  | 'set-password'
  | 'comment-role'
  | 'grant-membership'
  | 'revoke-membership'
  | 'drop-role'
  | 'create-database'
  | 'alter-database'
  | 'drop-database'
  | 'create-schema'
  | 'alter-schema'
  | 'create-extension'
  | 'alter-extension'
  | 'grant'
  | 'revoke';

export interface Step {
  kind: StepKind;
  /** The object it changes, for a person and for the managed-state bookkeeping: `role "x"`. */
  object: string;
  /** Key of the managed entry it serves (`role:<name>`, `database:<name>`, `grant:<target>`). */
  key: string;
  /**
   * The statement. For `set-password` it is the redacted form (`PASSWORD '***'`): the executor
   * builds the real one inside its own transaction, from the password it is given at apply time
   * (a step never holds a secret, so plans can be shown and stored).
   */
  sql: string;
  /** Database to run it in; absent: the maintenance database of the connection. */
  database?: string;
  /** Must run on its own, outside any transaction block (CREATE/DROP DATABASE). */
  alone?: boolean;
  /** `set-password` only: whose password the executor sets. */
  password?: { role: string };
}

/** A step as it can be shown: its statement, passwords redacted (they never are in `sql`). */
export function showStep(step: Step): string {
  return step.database === undefined
    ? step.sql
    : `${step.sql}  -- in database ${JSON.stringify(step.database)}`;
}
