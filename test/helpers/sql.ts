/**
 * Driving the SQL layer against a test server the way `up` does: spec (as a user writes it) ->
 * desired -> plan / apply, remembering what is managed between applies. And `facts`: the server's
 * catalogs read with plain SQL, independently of the observers under test.
 */
import { parseSpec } from '../../provider/spec';
import { desiredFromSpec, type DesiredSql } from '../../provider/sql/desired';
import { formatFailure } from '../../provider/sql/errors';
import { emptyManaged, type ManagedSql } from '../../provider/sql/managed';
import {
  planSql,
  reconcileSql,
  type ReconcileOptions,
  type ReconcileResult,
} from '../../provider/sql/reconcile';
import type { Step } from '../../provider/sql/steps';
import { withDatabase, type TestServer } from './postgres';

/** A step as tests compare it: where it runs, then the statement. */
export const where = (s: Step) => `${s.database ?? '-'}: ${s.sql}`;

export class SqlHarness {
  managed: ManagedSql = emptyManaged();

  constructor(readonly server: TestServer) {}

  desired(input: object, passwords: Record<string, string> = {}): DesiredSql {
    return desiredFromSpec(parseSpec({ name: 'sqltest', ...input }), new Map(Object.entries(passwords)));
  }

  async plan(input: object, passwords: Record<string, string> = {}): Promise<string[]> {
    const plan = await planSql(this.server.config, this.desired(input, passwords), this.managed);
    return plan.steps.map(where);
  }

  /** The plan with every database read (watermarks ignored): what the observers alone say. */
  async planFull(input: object, passwords: Record<string, string> = {}): Promise<string[]> {
    const { watermarks: _ignored, ...managed } = this.managed;
    const plan = await planSql(this.server.config, this.desired(input, passwords), managed);
    return plan.steps.map(where);
  }

  /** The plan with the databases it did not connect to (unchanged since their watermark). */
  async planSkipping(input: object): Promise<{ steps: string[]; skipped: string[] }> {
    const plan = await planSql(this.server.config, this.desired(input), this.managed);
    return { steps: plan.steps.map(where), skipped: plan.skipped };
  }

  async apply(input: object, passwords: Record<string, string> = {}, options: ReconcileOptions = {}) {
    const result = await reconcileSql(
      this.server.config,
      this.desired(input, passwords),
      this.managed,
      options,
    );
    this.managed = result.managed;
    return result;
  }

  /** Applies and fails the test on any SQL failure. */
  async applyOk(input: object, passwords: Record<string, string> = {}): Promise<ReconcileResult> {
    const result = await this.apply(input, passwords);
    if (result.failures.length > 0) throw new Error(result.failures.map(formatFailure).join('\n'));
    return result;
  }
}

export interface RoleFact {
  login: boolean;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  inherit: boolean;
  replication: boolean;
  bypassrls: boolean;
  connlimit: number;
  validUntil: string | null;
  comment: string | null;
  memberOf: string[];
}

/** Every non-system role, as pg_authid has it. */
export async function roleFacts(server: TestServer): Promise<Record<string, RoleFact>> {
  return withDatabase(server, 'postgres', async (c) => {
    const { rows } = await c.query<RoleFact & { name: string }>(`
      select a.rolname as name, a.rolcanlogin as login, a.rolsuper as superuser, a.rolcreatedb as createdb,
             a.rolcreaterole as createrole, a.rolinherit as inherit, a.rolreplication as replication,
             a.rolbypassrls as bypassrls, a.rolconnlimit as connlimit,
             to_char(a.rolvaliduntil at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "validUntil",
             shobj_description(a.oid, 'pg_authid') as comment,
             array(select b.rolname::text from pg_auth_members m join pg_authid b on b.oid = m.roleid
                   where m.member = a.oid order by 1) as "memberOf"
      from pg_authid a where a.rolname <> 'postgres' and a.rolname !~ '^pg_' order by 1`);
    return Object.fromEntries(rows.map(({ name, ...fact }) => [name, fact]));
  });
}

/** Non-template databases: owner, connection limit, whether connections are allowed, ACL. */
export async function databaseFacts(server: TestServer): Promise<Record<string, string>> {
  return withDatabase(server, 'postgres', async (c) => {
    const { rows } = await c.query<{ datname: string; fact: string }>(`
      select datname, pg_get_userbyid(datdba) || ' limit=' || datconnlimit || ' allow=' || datallowconn
             || ' acl=' || coalesce(datacl::text, '-') as fact
      from pg_database where datname not in ('postgres', 'template0', 'template1') order by 1`);
    return Object.fromEntries(rows.map((r) => [r.datname, r.fact]));
  });
}

/** Inside one database: schemas (owner, ACL), extensions, and table ACLs, by name. */
export async function insideFacts(server: TestServer, database: string): Promise<Record<string, string>> {
  return withDatabase(server, database, async (c) => {
    const { rows } = await c.query<{ what: string; fact: string }>(`
      select 'schema ' || nspname as what, pg_get_userbyid(nspowner) || ' acl=' || coalesce(nspacl::text, '-') as fact
      from pg_namespace where nspname !~ '^(pg_|information_schema)'
      union all
      select 'extension ' || e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname <> 'plpgsql'
      union all
      select 'table ' || n.nspname || '.' || c.relname, coalesce(c.relacl::text, '-')
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname !~ '^(pg_|information_schema)'
      union all
      select 'defaults ' || pg_get_userbyid(d.defaclrole) || ' ' || n.nspname || ' ' || d.defaclobjtype::text, d.defaclacl::text
      from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace
      order by 1`);
    return Object.fromEntries(rows.map((r) => [r.what, r.fact]));
  });
}
