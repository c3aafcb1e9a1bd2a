/**
 * The 30 ms link between the two sites of helpers/netns.ts, in userspace: this machine's kernel has
 * neither netem nor fq nor etf (no CONFIG_NET_SCH_NETEM/FQ/ETF, no modules), so neither `tc ... netem`
 * nor an EDT delay (a tc BPF program setting skb->tstamp, honoured only by fq) can hold packets back.
 * Instead every TCP connection from one site to the other's cluster ports (pooler, each member's
 * PostgreSQL and Patroni REST API) is DNATed, in the sending site's namespace (iptables nat OUTPUT),
 * to Shopify's toxiproxy (tools/toxiproxy/build.sh) in the root namespace on the bridge address,
 * which relays it to the real address with a `latency` toxic of 15 ms on each stream (upstream and
 * downstream): 30 ms added to every round trip across the sites. The other site sees connections
 * from the bridge address (10.246.1.254). Its API listens on 127.0.0.1; relays on 10.246.1.254.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BRIDGE_HOST, type NetSite } from './netns';

const REPO = join(__dirname, '..', '..');
export const ONE_WAY_MS = 15;

export interface DelayedLink {
  /** toxiproxy-server's PID (stopped by `stop`). */
  pid: number;
  apiPort: number;
  /** Each relay's toxiproxy name, by `address:port` of its destination. */
  names: Map<string, string>;
  /** Each relayed destination, `address:port` -> the relay's port on the bridge address. */
  relays: Map<string, number>;
  stop: () => void;
}

/** The cluster ports of a local cluster at `basePort` that the other site may connect to. */
export function sitePorts(basePort: number, members = 9): number[] {
  const ports = [basePort];
  for (let n = 1; n <= members; n++) ports.push(basePort + 10 + n, basePort + 40 + n);
  return ports;
}

function toxiproxyBin(): string {
  const r = spawnSync(join(REPO, 'tools', 'toxiproxy', 'build.sh'), [], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tools/toxiproxy/build.sh: ${r.stderr}`);
  return join(r.stdout.trim().split('\n').pop() as string, 'toxiproxy-server');
}

async function api(apiPort: number, path: string, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`toxiproxy ${path}: ${res.status} ${await res.text()}`);
}

async function waitForApi(apiPort: number): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${apiPort}/version`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`toxiproxy answers not on 127.0.0.1:${apiPort}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Delays every connection between the sites: `routes` are [from, to, to's ports]; relays listen on
 * BRIDGE_HOST from `firstRelayPort`. Call after createSites(); removeSites() drops the DNAT rules
 * with the namespaces, `stop()` stops the relay.
 */
export async function delayLink(
  routes: Array<[NetSite, NetSite, number[]]>,
  apiPort: number,
  firstRelayPort: number,
): Promise<DelayedLink> {
  const child = spawn(toxiproxyBin(), ['-host', '127.0.0.1', '-port', String(apiPort)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  const pid = child.pid as number;
  const stop = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  const relays = new Map<string, number>();
  const names = new Map<string, string>();
  try {
    await waitForApi(apiPort);
    let relayPort = firstRelayPort;
    for (const [from, to, ports] of routes)
      for (const port of ports) {
        const name = `${from.ns}-${to.address}-${port}`;
        await api(apiPort, '/proxies', {
          name,
          listen: `${BRIDGE_HOST}:${relayPort}`,
          upstream: `${to.address}:${port}`,
          enabled: true,
        });
        for (const stream of ['upstream', 'downstream'])
          await api(apiPort, `/proxies/${name}/toxics`, {
            name: `latency-${stream}`,
            type: 'latency',
            stream,
            attributes: { latency: ONE_WAY_MS, jitter: 0 },
          });
        execFileSync(
          'ip',
          [
            'netns',
            'exec',
            from.ns,
            'iptables',
            '-t',
            'nat',
            '-A',
            'OUTPUT',
            '-p',
            'tcp',
            '-d',
            to.address,
            '--dport',
            String(port),
            '-j',
            'DNAT',
            '--to-destination',
            `${BRIDGE_HOST}:${relayPort}`,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        relays.set(`${to.address}:${port}`, relayPort);
        names.set(`${to.address}:${port}`, name);
        relayPort++;
      }
  } catch (e) {
    stop();
    throw e;
  }
  return { pid, apiPort, names, relays, stop };
}

/**
 * From now on, drops every byte the destinations send back through their relays (toxiproxy's
 * `timeout` toxic with timeout 0 on the downstream): the connections stay open, nothing arrives.
 */
export async function stallReplies(link: DelayedLink, destinations: string[]): Promise<void> {
  for (const d of destinations) {
    const name = link.names.get(d);
    if (!name) throw new Error(`no relay to ${d}`);
    await api(link.apiPort, `/proxies/${name}/toxics`, {
      name: 'stall-downstream',
      type: 'timeout',
      stream: 'downstream',
      attributes: { timeout: 0 },
    });
  }
}

/**
 * From one site, the median of 5 round trips of data (not of the TCP handshake, which the relay
 * answers locally) to a PostgreSQL port: an SSLRequest and its one-byte answer, in ms.
 */
export function postgresRoundTripMs(from: NetSite, address: string, port: number): number {
  const script = `const net = require('node:net'); (async () => { const t = [];
    for (let i = 0; i < 5; i++) await new Promise((ok, no) => {
      const c = net.connect(${port}, '${address}', () => {
        const s = process.hrtime.bigint();
        c.once('data', () => { t.push(Number(process.hrtime.bigint() - s) / 1e6); c.destroy(); ok(); });
        c.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]));
      });
      c.on('error', no);
    });
    t.sort((a, b) => a - b); console.log(t[2]); })();`;
  return Number(
    execFileSync('ip', ['netns', 'exec', from.ns, process.execPath, '-e', script], {
      encoding: 'utf8',
    }).trim(),
  );
}
