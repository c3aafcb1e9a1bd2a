/**
 * Port layout of a local cluster, all on 127.0.0.1 from platform.local.basePort:
 * pooler = base, etcd client = base+1, etcd peer = base+2, member n PostgreSQL = base+10+n,
 * member n Patroni REST API = base+40+n (n = 1..20).
 */
import { createServer } from 'node:net';

export const LOCAL_HOST = '127.0.0.1';

export interface ClusterPorts {
  pooler: number;
  etcdClient: number;
  etcdPeer: number;
}

export function clusterPorts(basePort: number): ClusterPorts {
  return { pooler: basePort, etcdClient: basePort + 1, etcdPeer: basePort + 2 };
}

export function memberPorts(basePort: number, slot: number): { postgres: number; rest: number } {
  return { postgres: basePort + 10 + slot, rest: basePort + 40 + slot };
}

/** Resolves true when nothing listens on 127.0.0.1:port and we could bind it. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: LOCAL_HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
