/**
 * Databases as the server has them: one query on pg_database for every managed name, and one
 * round trip per managed database for its schemas and extensions (they live in its own catalogs).
 */
import type { Client } from 'pg';
import type { ObservedContents, ObservedDatabase } from './model';

interface DatabaseRow {
  datname: string;
  owner: string;
  encoding: string;
  datcollate: string;
  datctype: string;
  datconnlimit: number;
  datallowconn: boolean;
}

export const DATABASES_SQL = `
select d.datname, pg_get_userbyid(d.datdba) as owner, pg_encoding_to_char(d.encoding) as encoding,
       d.datcollate, d.datctype, d.datconnlimit, d.datallowconn
from pg_database d
where d.datname = any($1::text[])`;

export function databaseFromRow(row: DatabaseRow): ObservedDatabase {
  return {
    name: row.datname,
    owner: row.owner,
    encoding: row.encoding,
    lcCollate: row.datcollate,
    lcCtype: row.datctype,
    connectionLimit: row.datconnlimit,
    allowConnections: row.datallowconn,
  };
}

export async function observeDatabases(
  client: Client,
  names: readonly string[],
): Promise<Map<string, ObservedDatabase>> {
  if (names.length === 0) return new Map();
  const { rows } = await client.query<DatabaseRow>(DATABASES_SQL, [names]);
  return new Map(rows.map((row) => [row.datname, databaseFromRow(row)]));
}

const CONTENTS_SQL = `
select 'schema' as kind, n.nspname as name, pg_get_userbyid(n.nspowner) as owner, null as version, null as schema
from pg_namespace n where n.nspname = any($1::text[])
union all
select 'extension', e.extname, null, e.extversion, n.nspname
from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = any($2::text[])`;

/** The asked-for schemas and extensions of the database `client` is connected to. */
export async function observeContents(
  client: Client,
  schemas: readonly string[],
  extensions: readonly string[],
): Promise<ObservedContents> {
  const out: ObservedContents = { schemas: new Map(), extensions: new Map() };
  if (schemas.length === 0 && extensions.length === 0) return out;
  const { rows } = await client.query<{
    kind: string;
    name: string;
    owner: string | null;
    version: string | null;
    schema: string | null;
  }>(CONTENTS_SQL, [schemas, extensions]);
  for (const row of rows) {
    if (row.kind === 'schema') out.schemas.set(row.name, row.owner as string);
    else out.extensions.set(row.name, { version: row.version as string, schema: row.schema as string });
  }
  return out;
}
