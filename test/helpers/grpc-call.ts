/** Promises over @grpc/grpc-js unary calls, with errors that say which call failed and why. */
import type * as grpc from '@grpc/grpc-js';

/** A failed call: `details` is the server's message (e.g. the text a provider threw). */
export class RpcError extends Error {
  constructor(
    readonly rpc: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`${rpc} failed (gRPC status ${code}): ${details}`);
    this.name = 'RpcError';
  }
}

export function unary<T>(
  rpc: string,
  invoke: (callback: (error: grpc.ServiceError | null, response: T) => void) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    invoke((error, response) => {
      if (error) reject(new RpcError(rpc, error.code, error.details || error.message));
      else resolve(response);
    });
  });
}
