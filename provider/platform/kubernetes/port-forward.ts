/**
 * Local TCP ports forwarded to pod ports through the Kubernetes API (like `kubectl port-forward`),
 * so the deployer reaches Patroni and PostgreSQL without any externally reachable address.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { KubeConfig, PortForward } from '@kubernetes/client-node';

export interface Forwarder {
  /** 127.0.0.1 port that reaches `pod:port`; opened on first use. */
  local(pod: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export function portForwarder(namespace: string, kubeconfig?: string): Forwarder {
  const config = new KubeConfig();
  if (kubeconfig) config.loadFromString(kubeconfig);
  else config.loadFromDefault();
  const forward = new PortForward(config, true);
  const servers = new Map<string, Promise<Server>>();
  return {
    async local(pod, port) {
      const key = `${pod}:${port}`;
      let server = servers.get(key);
      if (!server) {
        server = new Promise<Server>((resolve, reject) => {
          const s = createServer((socket) => {
            forward.portForward(namespace, pod, [port], socket, null, socket).catch(() => socket.destroy());
          });
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        });
        servers.set(key, server);
      }
      return ((await server).address() as AddressInfo).port;
    },
    async close() {
      await Promise.all(
        [...servers.values()].map(async (s) => new Promise((r) => s.then((x) => x.close(r)))),
      );
      servers.clear();
    },
  };
}
