/**
 * Runs inside the dynamic-provider host: waits for a healthy cluster on Kubernetes, then ensures
 * the bootstrap objects. Platform-neutral waiting (actions/health); only the access differs.
 */
import { parseSpec } from '../spec';
import { kubernetesAccess } from '../platform/kubernetes/access';
import { waitHealthy } from '../actions/health';
import { reachMember } from '../platform/reach';
import { connectTo, withClient } from '../sql/connect';
import { ensureAppObjects } from '../sql/bootstrap';

export const READY_TIMEOUT_MS = 10 * 60_000;

export interface ReadyInputs {
  spec: unknown;
  superuserPassword: string;
  appPassword: string;
  appVerifier: string;
  kubeconfig?: string;
}

export async function waitReady(inputs: ReadyInputs, timeoutMs = READY_TIMEOUT_MS) {
  const spec = parseSpec(inputs.spec);
  const access = await kubernetesAccess(spec, inputs, inputs.kubeconfig);
  try {
    const members = Object.keys(access.apiUrls());
    const health = await waitHealthy(access, spec, members, timeoutMs);
    const leader = health.leader!;
    if (spec.bootstrap.initdb) {
      const initdb = spec.bootstrap.initdb;
      await withClient(await connectTo(await reachMember(access, leader), access.superuser()), (c) =>
        ensureAppObjects(c, { owner: initdb.owner, database: initdb.database, verifier: inputs.appVerifier }),
      );
    }
    return { primary: leader.name, members };
  } finally {
    await access.close();
  }
}
