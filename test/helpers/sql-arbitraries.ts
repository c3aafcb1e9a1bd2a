/**
 * fast-check arbitraries for roles[], databases[] and grants[] specs that the parser accepts, over
 * small pools of (often hostile) names so that successive specs reuse, drop and re-create objects.
 * Owners are chosen so that every spec can converge: databases are reclaimPolicy delete and schemas
 * are owned by postgres (a retained database or a kept schema owned by a departing role is a real,
 * reported failure, tested on its own in sql-safety.test.ts).
 */
import fc from 'fast-check';
import { PRIVILEGES_ON, type GrantOn } from '../../provider/spec/grants';

const FRAGMENTS = [
  'a',
  'Z',
  ' ',
  '"',
  "'",
  ';',
  '\\',
  '$$',
  '--',
  'é',
  '日本',
  '🐘',
  'select',
  'DROP ROLE x',
  '%s',
];

/** Names of 1..63 bytes that PostgreSQL and the spec rules accept as role, database or schema names. */
export const sqlName = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter(
    (n) =>
      Buffer.byteLength(n) <= 63 && !/^pg_/.test(n) && !['public', 'none', 'postgres', 'app'].includes(n),
  );

const TIMESTAMPS = ['2031-01-01T00:00:00Z', '2032-06-15T12:30:00+02:00', 'infinity'];

export interface Pools {
  roles: string[];
  databases: string[];
  schemas: string[];
}

export const pools: fc.Arbitrary<Pools> = fc.record({
  roles: fc.uniqueArray(sqlName, { minLength: 3, maxLength: 4 }),
  databases: fc.uniqueArray(sqlName, { minLength: 1, maxLength: 2 }),
  schemas: fc.uniqueArray(sqlName, { minLength: 1, maxLength: 2 }),
});

export interface GeneratedSpec {
  spec: { roles: object[]; databases: object[]; grants: object[] };
  passwords: Record<string, string>;
}

function rolesOf(names: string[]) {
  return fc.tuple(
    ...names.map((name, i) =>
      fc.record({
        name: fc.constant(name),
        login: fc.boolean(),
        createdb: fc.boolean(),
        inherit: fc.boolean(),
        connectionLimit: fc.integer({ min: -1, max: 5 }),
        validUntil: fc.option(fc.constantFrom(...TIMESTAMPS), { nil: undefined }),
        comment: fc.option(fc.constantFrom("it's", 'a "b"', 'x\\y', '日本'), { nil: undefined }),
        password: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
        inRoles: fc.subarray([...names.slice(0, i), 'pg_read_all_stats']),
      }),
    ),
  );
}

type Target = { role: string; database: string; on: GrantOn; schema?: string; createdBy?: string };

function grantsOf(roles: string[], databases: Array<{ name: string; schemas: string[] }>) {
  if (roles.length === 0 || databases.length === 0) return fc.constant([]);
  const target: fc.Arbitrary<Target> = fc
    .record({
      role: fc.constantFrom(...roles),
      db: fc.constantFrom(...databases),
      on: fc.constantFrom<GrantOn>('database', 'schema', 'tables', 'sequences', 'functions'),
      creator: fc.option(fc.constantFrom(...roles), { nil: undefined }),
    })
    .filter(({ db, on }) => on === 'database' || db.schemas.length > 0)
    .chain(({ role, db, on, creator }) =>
      on === 'database'
        ? fc.constant<Target>({ role, database: db.name, on })
        : fc.constantFrom(...db.schemas).map((schema): Target => ({
            role,
            database: db.name,
            on,
            schema,
            ...(creator !== undefined && creator !== role && on !== 'schema' ? { createdBy: creator } : {}),
          })),
    );
  return fc
    .uniqueArray(target, {
      minLength: 1,
      maxLength: 6,
      selector: (t) => JSON.stringify([t.role, t.database, t.on, t.schema, t.createdBy]),
    })
    .chain((targets) =>
      fc.tuple(
        ...targets.map((t) =>
          fc
            .record({
              privileges: fc.oneof(
                fc.constant(['ALL']),
                fc.subarray([...PRIVILEGES_ON[t.on]], { minLength: 1 }),
              ),
              withGrantOption: fc.boolean(),
            })
            .map((p) => ({ ...t, ...p })),
        ),
      ),
    );
}

/** One spec over the pools: some roles present, a few of the others absent, databases, grants. */
export function specOver(p: Pools): fc.Arbitrary<GeneratedSpec> {
  return fc
    .record({
      present: fc.subarray(p.roles, { minLength: 1 }),
      databases: fc.subarray(p.databases, { minLength: 1 }),
      absent: fc.boolean(),
    })
    .chain(({ present, databases, absent }) =>
      fc
        .record({
          roles: rolesOf(present),
          databases: fc.tuple(
            ...databases.map((name) =>
              fc.record({
                name: fc.constant(name),
                owner: fc.constantFrom('postgres', ...present),
                reclaimPolicy: fc.constant('delete'),
                connectionLimit: fc.integer({ min: -1, max: 3 }),
                schemas: fc
                  .subarray(p.schemas)
                  .map((names) => names.map((n) => ({ name: n, owner: 'postgres' }))),
              }),
            ),
          ),
        })
        .chain(({ roles, databases: dbs }) =>
          grantsOf(
            present,
            dbs.map((d) => ({ name: d.name, schemas: d.schemas.map((s) => s.name) })),
          ).map((grants) => {
            const gone = absent ? p.roles.filter((r) => !present.includes(r)).slice(0, 1) : [];
            return {
              spec: {
                roles: [
                  ...roles.map(({ password, ...r }) => ({
                    ...r,
                    ...(password !== undefined ? { password: { fromEnv: 'UNUSED' } } : {}),
                  })),
                  ...gone.map((name) => ({ name, ensure: 'absent' })),
                ],
                databases: [...dbs],
                grants: [...grants],
              },
              passwords: Object.fromEntries(
                roles.flatMap((r) => (r.password !== undefined ? [[r.name, r.password]] : [])),
              ),
            };
          }),
        ),
    );
}

/** Pools, then a few successive specs over them (each an edit of the previous). */
export const specSequence = pools.chain((p) => fc.array(specOver(p), { minLength: 2, maxLength: 3 }));
