import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { noSuperuserRoles } from './no-superuser-roles';
import { checkResource, checkResources } from '../../test/helpers/policy-args';
import { captureCluster } from '../../test/helpers/policy-capture';

const ROLES = [
  { name: 'app_reader', login: true },
  { name: 'dba', login: true, superuser: true },
  { name: 'old_admin', superuser: true, ensure: 'absent' },
];

describe('policy pgcluster-no-superuser-roles', () => {
  test('GIVEN a captured cluster with a superuser role WHEN checked THEN the role is refused by index and name', async () => {
    const resources = await captureCluster({ platform: { kubernetes: {} }, roles: ROLES });
    assert.deepEqual(
      (await checkResources(noSuperuserRoles, resources)).map((v) => v.message),
      [
        'PostgresCluster orders: roles[1] ("dba").superuser is true; required: false (grant the privileges ' +
          "the application needs instead, or name the role in the policy's allowedSuperuserRoles).",
      ],
    );
  });

  test('GIVEN allowedSuperuserRoles ["dba"] WHEN the same cluster is checked THEN no violation', async () => {
    const resources = await captureCluster({ platform: { kubernetes: {} }, roles: ROLES });
    assert.deepEqual(
      await checkResources(noSuperuserRoles, resources, { allowedSuperuserRoles: ['dba'] }),
      [],
    );
  });

  test('GIVEN roles without superuser (and a superuser being dropped) WHEN checked THEN no violation', async () => {
    const spec = {
      name: 'orders',
      instances: 3,
      pooler: { enabled: true },
      roles: [
        { name: 'app', ensure: 'present', superuser: false },
        { name: 'gone', ensure: 'absent', superuser: true },
      ],
    };
    const local = {
      type: 'pulumi-nodejs:dynamic/pgcluster:LocalCluster',
      name: 'orders-local',
      props: { spec },
    };
    assert.deepEqual(await checkResource(noSuperuserRoles, local), []);
  });

  test('GIVEN allowedSuperuserRoles ["DBA"] WHEN role dba is a superuser THEN it is still refused (names are exact)', async () => {
    const spec = {
      name: 'o',
      instances: 3,
      pooler: { enabled: true },
      roles: [{ name: 'dba', ensure: 'present', superuser: true }],
    };
    const local = { type: 'pulumi-nodejs:dynamic/pgcluster:LocalCluster', name: 'o-local', props: { spec } };
    assert.equal(
      (await checkResource(noSuperuserRoles, local, { allowedSuperuserRoles: ['DBA'] })).length,
      1,
    );
  });
});
