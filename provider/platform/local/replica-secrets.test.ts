import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../../spec';
import { localCluster } from './cluster-context';
import { inheritedSecrets } from './replica';

const USER = { name: 'postgres', uid: 1000, gid: 1000, switched: true };

describe('what a local replica cluster takes from its source', () => {
  test("GIVEN a source's secrets.json in the state dir WHEN a replica cluster inherits THEN it takes the replication, pg_rewind and application passwords, never the superuser's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-inherit-'));
    try {
      mkdirSync(join(dir, 'site-a'));
      const source = {
        superuserPassword: 'SOURCE-SUPERUSER-PW',
        replicationPassword: 'rep',
        rewindPassword: 'rew',
        appPassword: 'app',
        poolerAdminPassword: 'pool',
        appVerifier: 'SCRAM-SHA-256$app',
        poolerAdminVerifier: 'SCRAM-SHA-256$pool',
      };
      writeFileSync(join(dir, 'site-a', 'secrets.json'), JSON.stringify(source), { mode: 0o600 });
      const spec = parseSpec({
        name: 'site-b',
        platform: { local: { basePort: 27900 } },
        replica: { source: { cluster: 'site-a' } },
      });
      const inherited = inheritedSecrets(localCluster(dir, 'site-b', 27900, USER), spec);
      assert.deepEqual(inherited, {
        replicationPassword: 'rep',
        rewindPassword: 'rew',
        appPassword: 'app',
        appVerifier: 'SCRAM-SHA-256$app',
      });
      assert.doesNotMatch(JSON.stringify(inherited), /SOURCE-SUPERUSER-PW/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
