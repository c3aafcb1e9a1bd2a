import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getJson, postJson } from './api';

/** An HTTP server that resets the first `resets` connections, then answers {"ok": n}. */
async function resetting(resets: number): Promise<{ url: string; seen: () => number; server: Server }> {
  let seen = 0;
  const server = createServer((req, res) => {
    seen++;
    if (seen <= resets) {
      req.socket.destroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: seen }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen, server };
}

describe('Patroni REST calls and reset connections', () => {
  test('GIVEN a REST API that resets the first connection (restarting for a new certificate) WHEN GET THEN it is asked again and answers', async () => {
    const s = await resetting(1);
    try {
      assert.deepEqual(await getJson<{ ok: number }>(`${s.url}/cluster`), { ok: 2 });
    } finally {
      s.server.close();
    }
  });

  test('GIVEN a REST API that keeps resetting WHEN GET THEN it fails after 3 attempts', async () => {
    const s = await resetting(10);
    try {
      await assert.rejects(getJson(`${s.url}/cluster`), /ECONNRESET|socket hang up/);
      assert.equal(s.seen(), 3);
    } finally {
      s.server.close();
    }
  });

  test('GIVEN a reset connection WHEN POST (not safe to repeat) THEN it fails at once', async () => {
    const s = await resetting(1);
    try {
      await assert.rejects(postJson(`${s.url}/switchover`, { leader: 'a' }), /ECONNRESET|socket hang up/);
      assert.equal(s.seen(), 1);
    } finally {
      s.server.close();
    }
  });
});
