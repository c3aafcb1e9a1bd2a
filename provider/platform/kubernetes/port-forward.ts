/**
 * Local TCP ports forwarded to pod ports through the Kubernetes API (like `kubectl port-forward`),
 * so the deployer reaches Patroni and PostgreSQL without any externally reachable address.
 */
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { KubeConfig, PortForward } from '@kubernetes/client-node';

export interface Forwarder {
  /** 127.0.0.1 port that reaches `pod:port`; opened on first use. */
  local(pod: string, port: number): Promise<number>;
  close(): Promise<void>;
}

type WebSocketLike = {
  on(event: 'close' | 'error', listener: () => void): unknown;
  close(): void;
};

/**
 * The two ends close together. When the pod's side closes (Patroni's REST API answers HTTP/1.0
 * without a length and closes), the local connection must end too, or its client waits for the
 * rest of a body that never comes; when the local client goes, the WebSocket is closed.
 */
function tieEnds(socket: Socket, ws: unknown): void {
  if (!ws || typeof (ws as WebSocketLike).on !== 'function') return;
  const stream = ws as WebSocketLike;
  stream.on('close', () => socket.end());
  stream.on('error', () => socket.destroy());
  socket.on('close', () => stream.close());
}

/**
 * A kubeconfig (its text, or the path of its file, as a Kubernetes provider takes it), else the
 * default one (KUBECONFIG, ~/.kube/config, in-cluster); `context` made its current context.
 */
export function kubeConfigOf(kubeconfig?: string | KubeConfig, context?: string): KubeConfig {
  if (kubeconfig instanceof KubeConfig) return kubeconfig;
  const config = new KubeConfig();
  // One line that is not a JSON (or YAML flow) object: a file's path.
  if (kubeconfig && !kubeconfig.includes('\n') && !kubeconfig.trimStart().startsWith('{')) {
    if (!existsSync(kubeconfig)) throw new Error(`no kubeconfig file at ${kubeconfig}`);
    config.loadFromFile(kubeconfig);
  } else if (kubeconfig) config.loadFromString(kubeconfig);
  else config.loadFromDefault();
  if (kubeconfig && config.getClusters().length === 0) throw new Error('no cluster in it');
  if (context !== undefined) {
    const names = config.getContexts().map((c) => c.name);
    if (!names.includes(context))
      throw new Error(
        `platform.kubernetes.context: ${JSON.stringify(context)} is not a context of the ${kubeconfig ? 'given' : 'default'} kubeconfig (its contexts: ${names.join(', ') || 'none'})`,
      );
    config.setCurrentContext(context);
  }
  return config;
}

export function portForwarder(namespace: string, kubeconfig?: string | KubeConfig): Forwarder {
  const config = kubeConfigOf(kubeconfig);
  const forward = new PortForward(config, true);
  const servers = new Map<string, Promise<Server>>();
  return {
    async local(pod, port) {
      const key = `${pod}:${port}`;
      let server = servers.get(key);
      if (!server) {
        server = new Promise<Server>((resolve, reject) => {
          const s = createServer((socket) => {
            socket.on('error', () => socket.destroy());
            forward
              .portForward(namespace, pod, [port], socket, null, socket)
              .then((ws) => tieEnds(socket, ws))
              .catch(() => socket.destroy());
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
