/**
 * Frozen-primary fencing on kubernetes under mocks: every member's patroni.yml runs the fencing
 * script as postgresql.pre_promote, the Patroni ConfigMap ships the script's text, and the members'
 * Role may delete the cluster's pods (what the script does to a member that may still run a primary).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settle, setupMocks, valueOf } from '../helpers/pulumi-mocks';
import { PostgresCluster } from '../../provider/pulumi/component';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('frozen-primary fencing on kubernetes (mocks)', () => {
  test('GIVEN a kubernetes cluster WHEN constructed THEN pre_promote runs the shipped fencing script and the Role may delete pods', async () => {
    const { resources } = setupMocks();
    const cluster = new PostgresCluster('orders', {
      instances: 3,
      platform: { kubernetes: { namespace: 'db', image: 'example.org/pg:15' } },
    });
    await valueOf(cluster.urn);
    await settle(resources);
    const config = resources.find(
      (r) => r.type === 'kubernetes:core/v1:ConfigMap' && r.name.endsWith('patroni-config'),
    );
    assert.ok(config, 'the Patroni ConfigMap');
    const data = (config.inputs as Obj).data as Record<string, string>;
    const patroni = YAML.parse(data['patroni.yml']!) as Obj;
    assert.equal(patroni.postgresql.pre_promote, 'python3 /etc/patroni/k8s-fence-old-primary.py orders');
    const script = readFileSync(
      join(__dirname, '..', '..', 'provider', 'platform', 'local', 'scripts', 'k8s-fence-old-primary.py'),
      'utf8',
    );
    assert.equal(data['k8s-fence-old-primary.py'], script);
    const role = resources.find((r) => r.type === 'kubernetes:rbac.authorization.k8s.io/v1:Role');
    const rules = (role?.inputs as Obj).rules as Array<{ resources: string[]; verbs: string[] }>;
    assert.ok(rules.some((r) => r.resources.includes('pods') && r.verbs.includes('delete')));
  });
});
