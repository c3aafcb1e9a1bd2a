/**
 * A command in a pod's container through the Kubernetes API (like `kubectl exec`), with its exit
 * code and output. The command's arguments must hold no secret: they are visible in the pod.
 */
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The exit code Kubernetes reports: 0 on Success, else the ExitCode cause (or 1, with the reason). */
export function exitCodeOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) && code > 0 ? code : 1;
}

export async function execInPod(
  config: KubeConfig,
  target: { namespace: string; pod: string; container: string },
  command: readonly string[],
  timeoutMs: number,
): Promise<ExecResult> {
  const out = collector();
  const err = collector();
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let socket: { close(): void } | undefined;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(
      () =>
        finish(() => {
          socket?.close();
          reject(
            new Error(
              `${command.join(' ')} in pod ${target.pod}: no answer within ${Math.round(timeoutMs / 1000)} s`,
            ),
          );
        }),
      timeoutMs,
    );
    new Exec(config)
      .exec(
        target.namespace,
        target.pod,
        target.container,
        [...command],
        out.stream,
        err.stream,
        null,
        false,
        (status) =>
          finish(() => {
            const code = exitCodeOf(status);
            const stderr = err.text();
            resolve({
              code,
              stdout: out.text(),
              stderr: code !== 0 && status.message && !stderr ? status.message : stderr,
            });
          }),
      )
      .then((ws) => {
        socket = ws;
        ws.on('close', () =>
          // Closed without a status: the API server or the kubelet dropped the stream.
          setTimeout(
            () =>
              finish(() =>
                reject(
                  new Error(
                    `${command.join(' ')} in pod ${target.pod}: the exec stream closed without a status`,
                  ),
                ),
              ),
            200,
          ),
        );
      })
      .catch((e: Error) => finish(() => reject(new Error(`exec in pod ${target.pod}: ${e.message}`))));
  });
}
