import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { localCluster, memberSocketFor, peerUsers } from './cluster-context';

const ROOT_INVOKED = { name: 'postgres', uid: 1000, gid: 1000, switched: true };
const lc = localCluster('/var/lib/pgc', 'orders', 27900, ROOT_INVOKED, false, { host: '10.246.1.2' });

describe("the local superuser's way in: the members' sockets", () => {
  test("GIVEN a member's endpoint WHEN its socket is asked THEN it is that member's run dir, on the site's address or the loopback", () => {
    const socketFor = memberSocketFor(lc);
    assert.equal(socketFor({ host: '10.246.1.2', port: 27912 }), '/var/lib/pgc/orders/members/orders-2/run');
    assert.equal(socketFor({ host: '127.0.0.1', port: 27911 }), '/var/lib/pgc/orders/members/orders-1/run');
  });

  test('GIVEN an endpoint that is no member of this cluster WHEN asked THEN no socket (TCP as usual)', () => {
    const socketFor = memberSocketFor(lc);
    for (const endpoint of [
      { host: '10.246.1.2', port: 27900 }, // the pooler
      { host: '10.246.1.2', port: 27910 },
      { host: '10.246.1.2', port: 27941 }, // a REST API
      { host: '10.246.2.2', port: 27911 }, // another site's address
    ])
      assert.equal(socketFor(endpoint), undefined, JSON.stringify(endpoint));
  });

  test('GIVEN pgcluster runs as root WHEN the peer users are listed THEN the run user and root; as the run user itself, that user only', () => {
    assert.deepEqual(peerUsers(lc), ['postgres', 'root']);
    const own = localCluster('/s', 'orders', 27900, { name: 'alice', uid: 1001, gid: 1001, switched: false });
    assert.deepEqual(peerUsers(own), ['alice']);
  });
});
