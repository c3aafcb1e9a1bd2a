import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from './diagnose';

const where = { field: 'backup.s3', bucket: 'pgc-try', endpoint: '127.0.0.1:24500' };

/** Excerpts of what pgBackRest 2.45 printed against MinIO in each case (see test/integration/backup-refusals). */
const CASES: Array<{ given: string; output: string; path: string; says: string[]; input: boolean }> = [
  {
    given: 'a wrong secret key (MinIO names it in a header of a HEAD)',
    output:
      'ERROR: [039]: HTTP request failed with 403 (Forbidden):\n       *** Path/Query ***:\n       HEAD /pgc-try/pgcluster/try\n       *** Response Headers ***:\n       x-minio-error-code: SignatureDoesNotMatch\n',
    path: 'backup.s3.credentials',
    says: ['refused the keys', 'SignatureDoesNotMatch', 'bucket "pgc-try" at 127.0.0.1:24500'],
    input: true,
  },
  {
    given: 'a bare 403',
    output: 'ERROR: [039]: HTTP request failed with 403 (Forbidden):\n       HEAD /pgc-try/pgcluster/try\n',
    path: 'backup.s3.credentials',
    says: ['HTTP 403 Forbidden'],
    input: true,
  },
  {
    given: 'a missing bucket',
    output:
      'ERROR: [039]: HTTP request failed with 404 (Not Found):\n       *** Response Content ***:\n       <?xml version="1.0" encoding="UTF-8"?>\n       <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>',
    path: 'backup.s3.bucket',
    says: ['does not exist (NoSuchBucket)'],
    input: true,
  },
  {
    given: 'an untrusted certificate',
    output:
      "ERROR: [095]: unable to verify certificate presented by '127.0.0.1:24500': [20] unable to get local issuer certificate",
    path: 'backup.s3.caFile',
    says: ['is not trusted', 'unable to get local issuer certificate'],
    input: true,
  },
  {
    given: 'a certificate for another name',
    output:
      "ERROR: [095]: unable to find hostname '127.0.0.1' in certificate common name or subject alternative names",
    path: 'backup.s3.endpoint',
    says: ['does not name that host'],
    input: true,
  },
  {
    given: 'a clock an hour ahead (info lists with GET: the code is in the body)',
    output:
      '[ProtocolError] HTTP request failed with 403 (Forbidden):\n *** Response Content ***:\n <Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the server&#39;s time is too large.</Message></Error>',
    path: 'backup.s3',
    says: ['RequestTimeTooSkewed', 'clock'],
    input: true,
  },
  {
    given: 'nothing listening',
    output: "ERROR: [049]: unable to connect to '127.0.0.1:24500': [111] Connection refused",
    path: 'backup.s3.endpoint',
    says: ['nothing answers at 127.0.0.1:24500', 'Connection refused'],
    input: false,
  },
  {
    given: "check's segment not archived in time (a word 'timeout', not the endpoint)",
    output:
      'ERROR: [082]: WAL segment 000000020000000000000006 was not archived before the 60000ms timeout\n       HINT: check the archive_command to ensure that all options are correct (especially --stanza).',
    path: 'backup.s3',
    says: ['WAL segment 000000020000000000000006 did not reach the archive within 60 s', 'archive_command'],
    input: false,
  },
  {
    given: 'PostgreSQL unreachable for a backup',
    output: 'ERROR: [056]: unable to find primary cluster - cannot proceed',
    path: 'backup',
    says: ["cannot reach the cluster's PostgreSQL"],
    input: false,
  },
];

describe('diagnose: a failed pgBackRest command, for a person', () => {
  for (const c of CASES)
    test(`GIVEN ${c.given} WHEN diagnosed THEN ${c.path} with the cause`, () => {
      const d = diagnose(c.output, where);
      assert.equal(d.path, c.path);
      assert.equal(d.input, c.input);
      for (const s of c.says) assert.ok(d.cause.includes(s), `"${d.cause}" should contain "${s}"`);
    });
});
