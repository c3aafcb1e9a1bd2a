/**
 * Property: any valid roles/databases/grants spec, followed by random edits of it, applied in
 * sequence to a real PostgreSQL 15, converges: each apply succeeds, leaves nothing to plan, and the
 * objects the spec declares present exist (those declared absent do not). "Nothing to plan" is
 * checked twice: reading every database, and with the watermarks the apply left. numRuns is kept modest
 * (each run creates and drops real databases) so the file runs in well under a minute.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatFailure } from '../../provider/sql/errors';
import { resetServer, startPostgres, type TestServer } from '../helpers/postgres';
import { databaseFacts, roleFacts, SqlHarness } from '../helpers/sql';
import { specSequence } from '../helpers/sql-arbitraries';

const RUNS = Number(process.env.SQL_PROPERTY_RUNS ?? 10);

let server: TestServer;
before(async () => {
  server = await startPostgres('sql-property', { logStatements: false });
});
after(async () => server?.stop());

test('GIVEN random valid specs and random edits WHEN applied in sequence THEN every apply converges and the next is a no-op', async () => {
  await fc.assert(
    fc.asyncProperty(specSequence, async (sequence) => {
      await resetServer(server);
      const sql = new SqlHarness(server);
      for (const { spec, passwords } of sequence) {
        const result = await sql.apply(spec, passwords);
        assert.deepEqual(result.failures.map(formatFailure), []);
        assert.deepEqual(await sql.planFull(spec, passwords), [], 'nothing left to do after an apply');
        assert.deepEqual(await sql.plan(spec, passwords), [], 'nor with the watermarks it left');
        const roles = await roleFacts(server);
        for (const r of spec.roles as Array<{ name: string; ensure?: string }>)
          assert.equal(r.name in roles, r.ensure !== 'absent', `role ${JSON.stringify(r.name)}`);
        const databases = await databaseFacts(server);
        for (const d of spec.databases as Array<{ name: string }>) assert.ok(d.name in databases);
      }
      const last = sequence[sequence.length - 1]!;
      const again = await sql.apply(last.spec, last.passwords);
      assert.deepEqual(again.executed, [], 'the second apply of the same spec runs no statement');
    }),
    { numRuns: RUNS },
  );
});
