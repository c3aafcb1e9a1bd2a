/**
 * Two sites, each its own network namespace with its own address, joined through a bridge by veth
 * pairs. Only our own test addresses (10.246.1.0/24) and names (pgc-rep-*) are used. Needs root.
 * The bridge itself adds no delay: this machine's kernel has no netem qdisc (`tc qdisc add ... netem`
 * answers "Specified qdisc kind is unknown"); helpers/link-delay.ts puts the 30 ms round trip on the
 * connections between the sites with a userspace relay on the bridge address.
 */
import { execFileSync, spawn } from 'node:child_process';
import { BIN, type CliResult } from './cli';

export interface NetSite {
  ns: string;
  address: string;
}

export const SITE_A: NetSite = { ns: 'pgc-rep-a', address: '10.246.1.1' };
export const SITE_B: NetSite = { ns: 'pgc-rep-b', address: '10.246.1.2' };
const BRIDGE = 'pgc-rep-br';
/** The root namespace's address on the bridge (the link-delay relay listens there). */
export const BRIDGE_HOST = '10.246.1.254';
const BRIDGE_ADDRESS = `${BRIDGE_HOST}/24`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates both namespaces, the bridge and the links. Removes leftovers of a crashed run first. */
export function createSites(): void {
  if (process.getuid?.() !== 0) throw new Error('the two-site test needs root (network namespaces)');
  removeSites();
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', BRIDGE_ADDRESS, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  for (const [i, site] of [SITE_A, SITE_B].entries()) {
    const host = `pgc-rep-h${i}`;
    const inside = `pgc-rep-n${i}`;
    ip('netns', 'add', site.ns);
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', site.ns);
    ip('link', 'set', host, 'master', BRIDGE, 'up');
    ip('-n', site.ns, 'addr', 'add', `${site.address}/24`, 'dev', inside);
    ip('-n', site.ns, 'link', 'set', inside, 'up');
    ip('-n', site.ns, 'link', 'set', 'lo', 'up');
  }
}

/** PIDs of the processes that live in a site's namespace. */
export function pidsIn(site: NetSite): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', site.ns], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => /^\d+$/.test(l.trim()))
      .map(Number);
  } catch {
    return [];
  }
}

/** SIGKILLs every process of the site, by PID: the whole site is lost at once. */
export function killSite(site: NetSite): number[] {
  const pids = pidsIn(site);
  for (const pid of pids)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  return pids;
}

/** Kills what is left in the namespaces (by PID) and removes them and the bridge. */
export function removeSites(): void {
  for (const site of [SITE_A, SITE_B]) {
    killSite(site);
    try {
      ip('netns', 'del', site.ns);
    } catch {
      // not there
    }
  }
  try {
    ip('link', 'del', BRIDGE);
  } catch {
    // not there
  }
}

/** Runs the built CLI inside the site's namespace: every daemon it starts lives there. */
export function cliIn(
  site: NetSite,
  stateDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', site.ns, process.execPath, BIN, '--state-dir', stateDir, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PGCLUSTER_STATE_DIR: '', ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** From one site, a TCP port of `address`: the median time of 5 connects (SYN, SYN-ACK) in ms; throws when refused. */
export function connectMs(from: NetSite, address: string, port: number): number {
  const script = `const net = require('node:net'); (async () => { const t = [];
    for (let i = 0; i < 5; i++) { const s = process.hrtime.bigint();
      await new Promise((ok, no) => { const c = net.connect(${port}, '${address}', () => { c.destroy(); ok(); }); c.on('error', no); });
      t.push(Number(process.hrtime.bigint() - s) / 1e6); }
    t.sort((a, b) => a - b); console.log(t[2]); })();`;
  return Number(
    execFileSync('ip', ['netns', 'exec', from.ns, process.execPath, '-e', script], {
      encoding: 'utf8',
    }).trim(),
  );
}
