/**
 * Databases: plans -> SQL steps. Pure. CREATE/DROP DATABASE run alone (never inside a transaction);
 * schema and extension steps run inside their database.
 */
import { quoteIdent as q, quoteLiteral, sqlInteger } from '../quote';
import type { Step } from '../steps';
import type { ContentsPlan, DatabaseChanges, DatabasePlan, DesiredDatabase } from './model';

const dbObject = (name: string) => `database ${JSON.stringify(name)}`;
const dbKey = (name: string) => `database:${name}`;

export function createDatabaseSql(db: DesiredDatabase): string {
  const parts = [`CREATE DATABASE ${q(db.name)}`];
  if (db.owner !== undefined) parts.push(`OWNER ${q(db.owner)}`);
  if (db.template !== undefined) parts.push(`TEMPLATE ${q(db.template)}`);
  if (db.encoding !== undefined) parts.push(`ENCODING ${quoteLiteral(db.encoding)}`);
  if (db.lcCollate !== undefined && db.lcCollate === db.lcCtype)
    parts.push(`LOCALE ${quoteLiteral(db.lcCollate)}`);
  else {
    if (db.lcCollate !== undefined) parts.push(`LC_COLLATE ${quoteLiteral(db.lcCollate)}`);
    if (db.lcCtype !== undefined) parts.push(`LC_CTYPE ${quoteLiteral(db.lcCtype)}`);
  }
  parts.push(`CONNECTION LIMIT ${sqlInteger(db.connectionLimit)}`);
  parts.push(`ALLOW_CONNECTIONS ${db.allowConnections ? 'true' : 'false'}`);
  return parts.join(' ');
}

/** ALTER DATABASE statements for the changes: the owner, then the other settings in one. */
export function alterDatabaseSql(name: string, changes: DatabaseChanges): string[] {
  const out: string[] = [];
  if (changes.owner !== undefined) out.push(`ALTER DATABASE ${q(name)} OWNER TO ${q(changes.owner)}`);
  const options: string[] = [];
  if (changes.connectionLimit !== undefined)
    options.push(`CONNECTION LIMIT ${sqlInteger(changes.connectionLimit)}`);
  if (changes.allowConnections !== undefined) options.push(`ALLOW_CONNECTIONS ${changes.allowConnections}`);
  if (options.length > 0) out.push(`ALTER DATABASE ${q(name)} WITH ${options.join(' ')}`);
  return out;
}

/** Creates and alters, in the maintenance database (before grants). */
export function databaseSteps(plan: DatabasePlan): Step[] {
  return [
    ...plan.create.map((db): Step => ({
      kind: 'create-database',
      object: dbObject(db.name),
      key: dbKey(db.name),
      sql: createDatabaseSql(db),
      alone: true,
    })),
    ...plan.alter.flatMap(({ database, changes }) =>
      alterDatabaseSql(database, changes).map((sql): Step => ({
        kind: 'alter-database',
        object: dbObject(database),
        key: dbKey(database),
        sql,
      })),
    ),
  ];
}

/** Drops (reclaimPolicy delete only), after grants and before role drops. */
export function databaseDropSteps(plan: DatabasePlan): Step[] {
  return plan.drop.map((name) => ({
    kind: 'drop-database',
    object: dbObject(name),
    key: dbKey(name),
    sql: `DROP DATABASE ${q(name)}`,
    alone: true,
  }));
}

/** Schemas first (an extension may go into one), then extensions; all inside the database. */
export function contentsSteps(plan: ContentsPlan): Step[] {
  const database = plan.database;
  const key = dbKey(database);
  const inDb = (kind: Step['kind'], object: string, sql: string): Step => ({
    kind,
    object,
    key,
    sql,
    database,
  });
  const schema = (name: string) => `schema ${JSON.stringify(name)} in ${dbObject(database)}`;
  const ext = (name: string) => `extension ${JSON.stringify(name)} in ${dbObject(database)}`;
  return [
    ...plan.createSchema.map((s) =>
      inDb(
        'create-schema',
        schema(s.name),
        `CREATE SCHEMA ${q(s.name)}${s.owner !== undefined ? ` AUTHORIZATION ${q(s.owner)}` : ''}`,
      ),
    ),
    ...plan.alterSchemaOwner.map((s) =>
      inDb('alter-schema', schema(s.schema), `ALTER SCHEMA ${q(s.schema)} OWNER TO ${q(s.owner)}`),
    ),
    ...plan.createExtension.map((e) =>
      inDb(
        'create-extension',
        ext(e.name),
        `CREATE EXTENSION ${q(e.name)}` +
          (e.schema !== undefined ? ` SCHEMA ${q(e.schema)}` : '') +
          (e.version !== undefined ? ` VERSION ${quoteLiteral(e.version)}` : ''),
      ),
    ),
    ...plan.updateExtension.map((e) =>
      inDb(
        'alter-extension',
        ext(e.extension),
        `ALTER EXTENSION ${q(e.extension)} UPDATE TO ${quoteLiteral(e.version)}`,
      ),
    ),
    ...plan.moveExtension.map((e) =>
      inDb(
        'alter-extension',
        ext(e.extension),
        `ALTER EXTENSION ${q(e.extension)} SET SCHEMA ${q(e.schema)}`,
      ),
    ),
  ];
}
