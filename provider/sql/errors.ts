/**
 * Expected SQL failures: a SQLSTATE mapped to what it means and what to do about it. Pure (no `pg`
 * import: it reads the fields node-postgres puts on its errors). Every failure names the object,
 * the statement (passwords redacted), the SQLSTATE with its meaning, the server's message and a hint.
 */
import type { Step, StepKind } from './steps';

export interface SqlFailure {
  /** What was being done: `drop role "x"`. */
  action: string;
  /** Keys of the managed entries it concerns (see Step.key), so bookkeeping knows what did not happen. */
  keys: string[];
  /** The statement, redacted, when one was running. */
  statement?: string;
  sqlstate?: string;
  /** What the SQLSTATE means, in words. */
  meaning: string;
  /** The server's message and detail. */
  message: string;
  hint?: string;
}

interface Meaning {
  meaning: string;
  hint?: (kind: StepKind | 'connect', object: string) => string | undefined;
}

const CONNECT_HINT = 'check that the server is up and reachable, then run up again';

/** SQLSTATEs pgcluster expects while managing roles, databases and grants. */
export const SQLSTATES: Readonly<Record<string, Meaning>> = {
  '2BP01': {
    meaning: 'dependent objects still exist',
    hint: (kind, object) =>
      kind === 'drop-role'
        ? `${object} owns objects or holds privileges (see the detail). In each database named there, ` +
          `run REASSIGN OWNED BY <it> TO <another role>; DROP OWNED BY <it>; then run up again`
        : kind === 'revoke'
          ? 'the role granted these privileges on to others (WITH GRANT OPTION): revoke them from those roles first'
          : 'drop or change the objects that depend on it first (see the detail), then run up again',
  },
  '42704': {
    meaning: 'undefined object',
    hint: () => 'a role it names does not exist: declare it in roles[] or create it first',
  },
  '3D000': {
    meaning: 'database does not exist',
    hint: () => 'declare it in databases[] (or create it) first',
  },
  '3F000': {
    meaning: 'schema does not exist',
    hint: () => 'declare it in databases[].schemas[] (or create it) first',
  },
  '55006': {
    meaning: 'object in use',
    hint: (kind) =>
      kind === 'drop-database'
        ? 'other sessions are connected to it: stop them (pg_terminate_backend on its sessions in pg_stat_activity), then run up again'
        : 'another session is using it: run up again when it is done',
  },
  '42710': {
    meaning: 'duplicate object',
    hint: () => 'it was created meanwhile by someone else: run up again',
  },
  '42P04': { meaning: 'duplicate database', hint: () => 'it was created meanwhile: run up again' },
  '42P06': { meaning: 'duplicate schema', hint: () => 'it was created meanwhile: run up again' },
  '42501': {
    meaning: 'insufficient privilege',
    hint: (kind) =>
      kind === 'set-password'
        ? 'setting a password turns statement logging off, which needs a superuser connection'
        : 'connect as a superuser, or as a role with the needed CREATEROLE/CREATEDB/ownership',
  },
  '42939': { meaning: 'reserved name', hint: () => 'choose another name' },
  '0LP01': {
    meaning: 'invalid grant operation',
    hint: () => 'role memberships must not form a loop: check the inRoles of both roles',
  },
  '58P01': {
    meaning: 'undefined file',
    hint: (kind) =>
      kind === 'create-extension' || kind === 'alter-extension'
        ? 'the extension (or that version) is not installed on the server: install its package (e.g. postgresql-15-<name>)'
        : undefined,
  },
  '22023': { meaning: 'invalid parameter value' },
  '22021': {
    meaning: 'character not in repertoire',
    hint: () => 'the text is not valid in the server encoding',
  },
  '0A000': {
    meaning: 'feature not supported',
    hint: (kind) =>
      kind === 'create-extension' || kind === 'alter-extension'
        ? 'the extension (or that version) is not installed on the server, or cannot move schema: install its package (e.g. postgresql-15-<name>)'
        : undefined,
  },
  '25001': { meaning: 'active SQL transaction' },
  '42601': { meaning: 'syntax error' },
  '28P01': { meaning: 'invalid password', hint: () => 'the connection credentials were refused' },
  '28000': {
    meaning: 'invalid authorization specification',
    hint: () => 'pg_hba.conf refused the connection',
  },
  '57P01': { meaning: 'admin shutdown', hint: () => CONNECT_HINT },
  '57P03': {
    meaning: 'cannot connect now',
    hint: () => 'the server is starting up or shutting down: run up again',
  },
  '53300': { meaning: 'too many connections' },
};

/** What each kind of step does, as a verb put before its object. */
const VERBS: Readonly<Record<StepKind | 'connect', string>> = {
  'create-role': 'create',
  'alter-role': 'alter',
  'set-password': 'set the password of',
  'comment-role': 'comment on',
  'grant-membership': 'grant a membership to',
  'revoke-membership': 'revoke a membership from',
  'drop-role': 'drop',
  'create-database': 'create',
  'alter-database': 'alter',
  'drop-database': 'drop',
  'create-schema': 'create',
  'alter-schema': 'alter',
  'create-extension': 'create',
  'alter-extension': 'alter',
  grant: 'grant',
  revoke: 'revoke',
  connect: 'connect to',
};

interface PgErrorFields {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  hint?: unknown;
}

function meaningOf(code: string | undefined): Meaning {
  if (code === undefined)
    return { meaning: 'no SQLSTATE (client or network error)', hint: () => CONNECT_HINT };
  const known = SQLSTATES[code];
  if (known) return known;
  if (code.startsWith('08')) return { meaning: 'connection exception', hint: () => CONNECT_HINT };
  return { meaning: 'unexpected error' };
}

/** Turns whatever a statement threw into a failure a person can act on. */
export function describeFailure(
  what: { kind: StepKind | 'connect'; object: string; keys: string[]; statement?: string },
  error: unknown,
): SqlFailure {
  const e = (error ?? {}) as PgErrorFields;
  const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const m = meaningOf(code);
  const message = [e.message, e.detail]
    .filter((x) => typeof x === 'string' && x !== '')
    .join(': ')
    .replace(/\s*\n\s*/g, '; ');
  const serverHint = typeof e.hint === 'string' ? e.hint : undefined;
  const hint = [m.hint?.(what.kind, what.object), serverHint].filter((h) => h).join('; ');
  return {
    action: `${VERBS[what.kind]} ${what.object}`,
    keys: what.keys,
    ...(what.statement ? { statement: what.statement } : {}),
    ...(code ? { sqlstate: code } : {}),
    meaning: m.meaning,
    message: message || String(error),
    ...(hint ? { hint } : {}),
  };
}

export function stepFailure(step: Step, error: unknown): SqlFailure {
  return describeFailure(
    { kind: step.kind, object: step.object, keys: [step.key], statement: step.sql },
    error,
  );
}

/** One failure on one line: `drop role "x": 2BP01 dependent objects still exist: ... Hint: ...`. */
export function formatFailure(f: SqlFailure): string {
  const state = f.sqlstate ? `${f.sqlstate} ${f.meaning}` : f.meaning;
  return `${f.action}: ${state}: ${f.message}${f.hint ? `. Hint: ${f.hint}` : ''}`;
}
