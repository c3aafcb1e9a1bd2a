/**
 * What a failed pgBackRest command means for the person who wrote the spec: the field to look at and
 * the cause, from pgBackRest's own output (its error codes, the HTTP status, the S3 error code in the
 * response). Pure.
 */
export interface Diagnosis {
  /** The spec field to fix, e.g. `backup.s3.credentials`. */
  path: string;
  /** The cause, for a person. */
  cause: string;
  /** True when it is the configuration (exit 2), false when the service failed (exit 1). */
  input: boolean;
}

/** Where the repository is declared: `backup.s3` or `bootstrap.recovery.source.s3`. */
export interface RepoWhere {
  field: string;
  bucket: string;
  endpoint: string;
}

const CREDENTIAL_CODES = [
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
];

/** The S3 error code in the response content or MinIO's header, if any. */
export function s3ErrorCode(output: string): string | undefined {
  return /<Code>(\w+)<\/Code>/.exec(output)?.[1] ?? /x-minio-error-code: (\w+)/.exec(output)?.[1];
}

/** The first `ERROR: [nnn]: ...` (or `[XError] ...`, or the first line) of pgBackRest's output, on one line. */
export function firstError(output: string): string {
  const line = /ERROR: \[\d+\]: [^\n]*/.exec(output)?.[0] ?? /\[\w+Error\] [^\n]*/.exec(output)?.[0];
  return (line ?? output.trim().split('\n')[0] ?? 'no output').trim();
}

/** firstError without its code: the sentence a person reads. */
function reason(output: string): string {
  return firstError(output)
    .replace(/^ERROR: \[\d+\]: /, '')
    .replace(/^\[\w+Error\] /, '');
}

export function diagnose(output: string, where: RepoWhere): Diagnosis {
  const f = where.field;
  const code = s3ErrorCode(output);
  const at = `bucket ${JSON.stringify(where.bucket)} at ${where.endpoint}`;
  if (code === 'RequestTimeTooSkewed')
    return {
      path: f,
      cause: `the S3 server refused the request as too old or too new (RequestTimeTooSkewed): this machine's clock and the server's differ by more than S3 allows (15 min); fix the clock (NTP)`,
      input: true,
    };
  if (code === 'NoSuchBucket' || (!code && /failed with 404/.test(output)))
    return {
      path: `${f}.bucket`,
      cause: `${at} does not exist (NoSuchBucket); create it first, or name an existing one`,
      input: true,
    };
  if ((code && CREDENTIAL_CODES.includes(code)) || (!code && /failed with 403/.test(output)))
    return {
      path: `${f}.credentials`,
      cause: `the S3 server refused the keys for ${at} (${code ?? 'HTTP 403 Forbidden'}): a wrong access key or secret, or a key that may not use this bucket`,
      input: true,
    };
  if (/unable to verify certificate/.test(output))
    return {
      path: `${f}.caFile`,
      cause: `the certificate of ${where.endpoint} is not trusted (${reason(output)}); name the CA that signed it in caFile`,
      input: true,
    };
  if (/unable to find hostname .* in certificate/.test(output))
    return {
      path: `${f}.endpoint`,
      cause: `the certificate of ${where.endpoint} does not name that host; use a host name the certificate holds`,
      input: true,
    };
  if (/unable to find primary cluster|unable to connect to 'dbname=|\[056\]/.test(output))
    return {
      path: 'backup',
      cause: `pgBackRest cannot reach the cluster's PostgreSQL (${reason(output)})`,
      input: false,
    };
  // check's wait for the segment it switched to: PostgreSQL's archive_command did not deliver it
  // (failing, or slow and paused: the archiver waits a minute after three failures), not the endpoint.
  const unarchived = /WAL segment (\w+) was not archived before the (\d+)ms timeout/.exec(output);
  if (unarchived)
    return {
      path: f,
      cause: `WAL segment ${unarchived[1]} did not reach the archive within ${Number(unarchived[2]) / 1000} s: PostgreSQL's archive_command (pgbackrest archive-push) failed or was slow; pg_stat_archiver and the member's pgBackRest log say why`,
      input: false,
    };
  if (/unable to connect to/.test(output) || /timeout|timed out/i.test(firstError(output)))
    return {
      path: `${f}.endpoint`,
      cause: `nothing answers at ${where.endpoint} (${reason(output)})`,
      input: false,
    };
  return { path: f, cause: `pgBackRest failed: ${firstError(output)}`, input: false };
}
