/**
 * A certificate login through a port-forward to the primary (verify-full by 127.0.0.1, which the
 * server certificate names): psql runs asynchronously, so the in-process port-forward keeps serving.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PG_BIN } from '../../helpers/postgres';
import { portForwarder } from '../../../provider/platform/kubernetes/port-forward';
import type { Cluster } from './cluster';

export async function certificateLogin(
  cluster: Cluster,
  namespace: string,
  pod: string,
  files: { cert: string; key: string; ca: string },
  user: string,
  database: string,
): Promise<{ ok: boolean; out: string; err: string }> {
  const forwarder = portForwarder(namespace, cluster.kubeconfigText);
  try {
    const port = await forwarder.local(pod, 5432);
    const conninfo =
      `host=127.0.0.1 port=${port} user=${user} dbname=${database} sslmode=verify-full ` +
      `sslrootcert=${files.ca} sslcert=${files.cert} sslkey=${files.key}`;
    return await new Promise((resolve, reject) => {
      // No password anywhere: the certificate is the login.
      const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
      delete env.PGPASSWORD;
      const child = spawn(
        join(PG_BIN, 'psql'),
        [
          conninfo,
          '-XAtc',
          'select current_user, ssl, client_dn from pg_stat_ssl where pid = pg_backend_pid()',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ ok: code === 0, out: out.trim(), err: err.trim() }));
    });
  } finally {
    await forwarder.close();
  }
}
