/**
 * A real S3 server for the backup tests: MinIO built from its Go module (tools/minio/build.sh),
 * served over TLS with a certificate signed by a CA these tests make with openssl. The root
 * credentials go to MinIO through its environment and to pgBackRest through a secret reference,
 * never an argument. Started detached, stopped by PID; `stop()` then `start()` again keeps the data
 * (the outage tests).
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent } from 'node:https';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const ROOT = resolve(__dirname, '..', '..');

/** The MinIO binary tools/minio/build.sh made, or undefined when it has not been built. */
export function minioBinary(): string | undefined {
  const bin = execFileSync('bash', [join(ROOT, 'tools', 'minio', 'build.sh'), '--print-bin'], {
    encoding: 'utf8',
  }).trim();
  const path = join(bin, 'minio');
  return existsSync(path) ? path : undefined;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A CA and a server certificate for 127.0.0.1 / localhost (and `host` when it is another address),
 * in `dir` (world-readable but the keys). Each address is a DNS name too: pgBackRest 2.45 matches
 * the host it connects to against the CN and DNS names only, never an IP address entry.
 */
export function makeTestCa(
  dir: string,
  name = 'pgcluster-test',
  host = '127.0.0.1',
): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name} CA`,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'san.cnf'),
    `subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost${host === '127.0.0.1' ? '' : `,IP:${host},DNS:${host}`}\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      'private.key',
      '-out',
      'server.csr',
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'san.cnf',
      '-out',
      'public.crt',
    ],
    dir,
  );
  chmodSync(join(dir, 'ca.pem'), 0o644);
  chmodSync(join(dir, 'public.crt'), 0o644);
  chmodSync(join(dir, 'private.key'), 0o600);
  chmodSync(join(dir, 'ca.key'), 0o600);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'public.crt'), key: join(dir, 'private.key') };
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

export class TestMinio {
  readonly dir: string;
  /** PEM of the CA that signed the server certificate: what pgBackRest's caFile names. */
  readonly caFile: string;
  readonly accessKeyId = 'pgcluster-test';
  readonly secretAccessKey: string;
  private pid?: number;

  private constructor(
    private readonly binary: string,
    readonly port: number,
    readonly host: string,
  ) {
    this.dir = mkdtempSync('/tmp/pgc-minio-');
    chmodSync(this.dir, 0o755);
    this.caFile = makeTestCa(join(this.dir, 'certs'), 'pgcluster-test', host).ca;
    this.secretAccessKey = `secret-${Math.random().toString(36).slice(2)}${Date.now()}`;
  }

  /**
   * Starts MinIO on `host:port` (and its console on port + 1; host 127.0.0.1 unless the clients are
   * elsewhere, e.g. pods reaching the Kubernetes node's address); fails when tools/minio is not built.
   */
  static async start(port: number, host = '127.0.0.1'): Promise<TestMinio> {
    const binary = minioBinary();
    if (!binary) throw new Error('MinIO is not built: run `npm run tools:minio` (tools/minio/build.sh)');
    const server = new TestMinio(binary, port, host);
    await server.start();
    return server;
  }

  get endpoint(): string {
    return `${this.host}:${this.port}`;
  }

  /** The s3 block of a spec for `bucket` here, credentials read from these environment variables. */
  s3Spec(bucket: string, path?: string, env = { id: 'PGC_TEST_S3_KEY', secret: 'PGC_TEST_S3_SECRET' }) {
    return {
      bucket,
      ...(path ? { path } : {}),
      endpoint: this.endpoint,
      region: 'us-east-1',
      uriStyle: 'path' as const,
      caFile: this.caFile,
      credentials: { accessKeyId: { fromEnv: env.id }, secretAccessKey: { fromEnv: env.secret } },
    };
  }

  /** The environment those references read. */
  env(env = { id: 'PGC_TEST_S3_KEY', secret: 'PGC_TEST_S3_SECRET' }): Record<string, string> {
    return { [env.id]: this.accessKeyId, [env.secret]: this.secretAccessKey };
  }

  async start(): Promise<void> {
    if (this.pid && this.running()) return;
    const log = openSync(join(this.dir, 'minio.log'), 'a', 0o600);
    try {
      const child = spawn(
        this.binary,
        [
          'server',
          '--quiet',
          '--address',
          this.endpoint,
          '--console-address',
          `${this.host}:${this.port + 1}`,
          '--certs-dir',
          join(this.dir, 'certs'),
          join(this.dir, 'data'),
        ],
        {
          detached: true,
          stdio: ['ignore', log, log],
          env: {
            PATH: process.env.PATH,
            HOME: this.dir,
            MINIO_ROOT_USER: this.accessKeyId,
            MINIO_ROOT_PASSWORD: this.secretAccessKey,
            MINIO_BROWSER: 'off',
            MINIO_UPDATE: 'off',
          },
        },
      );
      child.unref();
      this.pid = child.pid;
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + 30_000;
    while (!(await connects(this.host, this.port))) {
      if (!this.running()) throw new Error(`minio exited:\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`minio did not listen on ${this.endpoint}:\n${this.log()}`);
      await sleep(100);
    }
  }

  running(): boolean {
    if (!this.pid) return false;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'minio.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server by PID (SIGTERM, then SIGKILL), keeping its data. */
  async stop(): Promise<void> {
    if (!this.pid || !this.running()) return;
    process.kill(this.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (this.running() && Date.now() < deadline) await sleep(50);
    if (this.running()) process.kill(this.pid, 'SIGKILL');
    while (this.running()) await sleep(20);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(): S3Client {
    // The SDK warns on every run that its 2027 releases will need Node 22; this one runs on Node 20.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    return new S3Client({
      endpoint: `https://${this.endpoint}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(this.caFile) }) }),
    });
  }

  async createBucket(bucket: string): Promise<void> {
    const s3 = this.client();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      s3.destroy();
    }
  }

  /** Every key under `prefix` (without the leading slash pgBackRest writes). */
  async keys(bucket: string, prefix: string): Promise<string[]> {
    const s3 = this.client();
    const out: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix.replace(/^\//, ''),
            ContinuationToken: token,
          }),
        );
        out.push(...(page.Contents ?? []).map((o) => o.Key as string));
        token = page.NextContinuationToken;
      } while (token);
    } finally {
      s3.destroy();
    }
    return out;
  }
}
