import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { noSuperuserRoles, ROLE_TYPE } from './no-superuser-roles';
import { checkResource, checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';
import { TYPES } from '../../provider/naming';

const ROLES = [
  { name: 'app_reader', login: true },
  { name: 'dba', login: true, superuser: true },
  { name: 'old_admin', superuser: true, ensure: 'absent' },
];

const MESSAGE =
  'role "dba": superuser is true; required: false (grant the privileges the application needs instead, ' +
  "or name the role in the policy's allowedSuperuserRoles) (resource orders-role-dba).";

describe('policy pgcluster-no-superuser-roles', () => {
  test('GIVEN the Role type token THEN it is the one the provider registers', () => {
    assert.equal(ROLE_TYPE, `pulumi-nodejs:dynamic/${TYPES.dynamicModule}:${TYPES.role}`);
  });

  for (const platform of [{ kubernetes: {} }, { local: { basePort: 25000 } }]) {
    test(`GIVEN a captured ${Object.keys(platform)[0]} cluster with a superuser role WHEN checked THEN that Role is refused by name`, async () => {
      const resources = await captureCluster({ platform, roles: ROLES });
      assert.deepEqual(
        (await checkResources(noSuperuserRoles, resources)).map((v) => v.message),
        [MESSAGE],
      );
    });
  }

  test('GIVEN allowedSuperuserRoles ["dba"] WHEN the same cluster is checked THEN no violation', async () => {
    const resources = await captureCluster({ platform: { kubernetes: {} }, roles: ROLES });
    assert.deepEqual(
      await checkResources(noSuperuserRoles, resources, { allowedSuperuserRoles: ['dba'] }),
      [],
    );
  });

  test('GIVEN a Role declared on its own WHEN it is a superuser THEN it is refused; absent or not superuser THEN not', async () => {
    const role = (props: Record<string, unknown>) => ({ type: ROLE_TYPE, name: 'r', props });
    assert.equal((await checkResource(noSuperuserRoles, role({ name: 'x', superuser: true }))).length, 1);
    assert.deepEqual(await checkResource(noSuperuserRoles, role({ name: 'x', superuser: false })), []);
    assert.deepEqual(
      await checkResource(noSuperuserRoles, role({ name: 'x', superuser: true, ensure: 'absent' })),
      [],
    );
  });

  test('GIVEN allowedSuperuserRoles ["DBA"] WHEN role dba is a superuser THEN it is still refused (names are exact)', async () => {
    const role = { type: ROLE_TYPE, name: 'o-role-dba', props: { name: 'dba', superuser: true } };
    assert.equal((await checkResource(noSuperuserRoles, role, { allowedSuperuserRoles: ['DBA'] })).length, 1);
  });
});
