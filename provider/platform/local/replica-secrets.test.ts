import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../../spec';
import { localCluster } from './cluster-context';
import { dropInheritedSuperuser, inheritedSecrets } from './replica';
import { readSecrets } from './state';

const USER = { name: 'postgres', uid: 1000, gid: 1000, switched: true };

describe('what a local replica cluster takes from its source', () => {
  test("GIVEN a source's secrets.json in the state dir WHEN a replica cluster inherits THEN it takes the pg_rewind and application passwords, never the superuser's nor the replication one (its role is its own)", () => {
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
        rewindPassword: 'rew',
        appPassword: 'app',
        appVerifier: 'SCRAM-SHA-256$app',
      });
      assert.doesNotMatch(JSON.stringify(inherited), /SOURCE-SUPERUSER-PW/);
      // An external source: nothing taken over, and no superuser password generated either.
      const external = parseSpec({
        name: 'site-c',
        platform: { local: { basePort: 27900 } },
        replica: { source: { host: '10.246.1.1', password: { fromEnv: 'PW' } } },
        tls: { clientAuth: { replication: 'password' } },
      });
      assert.deepEqual(inheritedSecrets(localCluster(dir, 'site-c', 27900, USER), external), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN a replica cluster of an older version holding its source's superuser password WHEN prepared THEN it is dropped; a password of its own is kept", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgc-inherit-'));
    try {
      for (const name of ['site-a', 'site-b']) mkdirSync(join(dir, name));
      const write = (name: string, secrets: object) =>
        writeFileSync(join(dir, name, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
      write('site-a', { superuserPassword: 'A-PW', replicationPassword: 'rep' });
      write('site-b', { superuserPassword: 'A-PW', replicationPassword: 'rep', poolerAdminPassword: 'b' });
      const spec = (name: string, source: string) =>
        parseSpec({
          name,
          platform: { local: { basePort: 27900 } },
          replica: { source: { cluster: source } },
        });
      const b = localCluster(dir, 'site-b', 27900, USER);
      assert.equal(dropInheritedSuperuser(b, spec('site-b', 'site-a')), true);
      assert.deepEqual(readSecrets(join(dir, 'site-b', 'secrets.json')), {
        replicationPassword: 'rep',
        poolerAdminPassword: 'b',
      });
      assert.equal(statSync(join(dir, 'site-b', 'secrets.json')).mode & 0o777, 0o600);
      assert.equal(dropInheritedSuperuser(b, spec('site-b', 'site-a')), false, 'nothing left to drop');
      // site-a, a replica cluster of site-b after a switch, keeps the password it created.
      const a = localCluster(dir, 'site-a', 27800, USER);
      assert.equal(dropInheritedSuperuser(a, spec('site-a', 'site-b')), false);
      assert.equal(readSecrets(join(dir, 'site-a', 'secrets.json'))?.superuserPassword, 'A-PW');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
