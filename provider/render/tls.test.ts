import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, SpecError } from '../spec';
import { renderPgHba } from './pghba';
import { renderParameters } from './parameters';
import { buildPatroniConfig } from './patroni';
import { renderPgbouncerIni } from './pgbouncer';
import { serverNames, uriTlsQuery, type TlsFiles } from './tls';
import { patroniContext } from '../../test/helpers/render-context';

const patroniCtx = () => patroniContext({ cluster: 'orders', slot: 1 });

const FILES: TlsFiles = {
  caFile: '/t/ca.crt',
  serverCert: '/t/server.crt',
  serverKey: '/t/server.key',
  replicationCert: '/t/replicator.crt',
  replicationKey: '/t/replicator.key',
  rewindCert: '/t/rewinder.crt',
  rewindKey: '/t/rewinder.key',
};

function issues(input: unknown): string[] {
  try {
    parseSpec(input);
    return [];
  } catch (e) {
    assert.ok(e instanceof SpecError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('pg_hba under tls', () => {
  test('GIVEN tls with certificate replication, a cert user and required WHEN rendered THEN every TCP rule is hostssl and replication uses cert', () => {
    const spec = parseSpec({ name: 'o', tls: { required: true, clientAuth: { users: ['alice'] } } });
    assert.deepEqual(renderPgHba(spec, ['127.0.0.1/32']), [
      'local all postgres peer map=pgcluster',
      'hostssl replication replicator 127.0.0.1/32 cert',
      'hostssl replication +pgcluster_replication 127.0.0.1/32 cert',
      'hostssl all rewinder 127.0.0.1/32 cert',
      'hostssl all alice 127.0.0.1/32 cert',
      'local all all scram-sha-256',
      'hostssl all all 127.0.0.1/32 scram-sha-256',
    ]);
  });

  test('GIVEN tls not required and password replication WHEN rendered THEN plaintext rules stay (TLS offered, not forced)', () => {
    const spec = parseSpec({ name: 'o', tls: { clientAuth: { replication: 'password' } } });
    assert.deepEqual(renderPgHba(spec, ['127.0.0.1/32']), [
      'local all postgres peer map=pgcluster',
      'host replication replicator 127.0.0.1/32 scram-sha-256',
      'host replication +pgcluster_replication 127.0.0.1/32 scram-sha-256',
      'host all rewinder 127.0.0.1/32 scram-sha-256',
      'local all all scram-sha-256',
      'host all all 127.0.0.1/32 scram-sha-256',
    ]);
  });

  test('GIVEN tls.enabled false WHEN rendered THEN no rule is hostssl and replication uses a password', () => {
    const off = parseSpec({ name: 'o', tls: { enabled: false } });
    assert.deepEqual(renderPgHba(off, ['10.0.0.0/8']), [
      'local all postgres peer map=pgcluster',
      'host replication replicator 10.0.0.0/8 scram-sha-256',
      'host replication +pgcluster_replication 10.0.0.0/8 scram-sha-256',
      'host all rewinder 10.0.0.0/8 scram-sha-256',
      'local all all scram-sha-256',
      'host all all 10.0.0.0/8 scram-sha-256',
    ]);
  });

  test('GIVEN no tls key WHEN parsed THEN tls is on with a generated CA and certificate replication', () => {
    const spec = parseSpec({ name: 'o' });
    assert.equal(spec.tls.enabled, true);
    assert.equal(spec.tls.ca, 'generated');
    assert.equal(spec.tls.clientAuth.replication, 'cert');
    assert.ok(renderPgHba(spec, ['10.0.0.0/8']).includes('hostssl replication replicator 10.0.0.0/8 cert'));
  });
});

describe('Patroni and PgBouncer under tls', () => {
  test('GIVEN tls WHEN the member config is built THEN PostgreSQL has ssl on, Patroni verify-full client certs and an HTTPS REST API', () => {
    const spec = parseSpec({ name: 'orders', tls: { minVersion: 'TLSv1.3' } });
    const config = buildPatroniConfig(spec, { ...patroniCtx(), tls: FILES }) as {
      restapi: Record<string, string>;
      postgresql: {
        parameters: Record<string, string>;
        authentication: Record<string, Record<string, string>>;
      };
    };
    assert.equal(config.postgresql.parameters.ssl, 'on');
    assert.equal(config.postgresql.parameters.ssl_key_file, FILES.serverKey);
    assert.equal(config.postgresql.parameters.ssl_min_protocol_version, 'TLSv1.3');
    assert.deepEqual(
      { ...config.postgresql.authentication.replication, password: undefined },
      {
        username: 'replicator',
        password: undefined,
        sslmode: 'verify-full',
        sslrootcert: FILES.caFile,
        sslcert: FILES.replicationCert,
        sslkey: FILES.replicationKey,
      },
    );
    assert.equal(config.postgresql.authentication.rewind?.sslcert, FILES.rewindCert);
    assert.equal(config.restapi.certfile, FILES.serverCert);
    assert.equal(config.restapi.cafile, FILES.caFile);
  });

  test('GIVEN an etcd on HTTPS WHEN the member config is built THEN Patroni reaches it by https with the CA', () => {
    const ctx = patroniCtx();
    const config = buildPatroniConfig(parseSpec({ name: 'orders' }), {
      ...ctx,
      dcs: { kind: 'etcd3', hosts: ['127.0.0.1:15401'], caFile: '/t/ca.crt' },
    }) as { etcd3: Record<string, unknown> };
    assert.deepEqual(config.etcd3, { cacert: '/t/ca.crt', hosts: ['127.0.0.1:15401'], protocol: 'https' });
    const plain = buildPatroniConfig(parseSpec({ name: 'orders' }), ctx) as {
      etcd3: Record<string, unknown>;
    };
    assert.deepEqual(plain.etcd3, { hosts: ['127.0.0.1:15401'], protocol: 'http' });
  });

  test('GIVEN tls but no files from the platform WHEN built THEN it refuses rather than render plaintext', () => {
    assert.throws(
      () => buildPatroniConfig(parseSpec({ name: 'o', tls: {} }), { ...patroniCtx(), tls: undefined }),
      /no certificate files/,
    );
  });

  test('GIVEN tls off WHEN built THEN no ssl settings appear', () => {
    const text = JSON.stringify(
      buildPatroniConfig(parseSpec({ name: 'o', tls: { enabled: false } }), {
        ...patroniCtx(),
        tls: undefined,
      }),
    );
    assert.doesNotMatch(text, /ssl|certfile/);
  });

  test('GIVEN tls required WHEN pgbouncer.ini is rendered THEN clients must use TLS and the server is verified', () => {
    const ini = renderPgbouncerIni(parseSpec({ name: 'o' }).pooler, {
      listenHost: '127.0.0.1',
      port: 6432,
      databasesFile: '/d',
      authFile: '/a',
      logFile: '/l',
      pidFile: '/p',
      socketDir: '',
      tls: { caFile: '/ca', certFile: '/c', keyFile: '/k', required: true, minVersion: 'TLSv1.2' },
    });
    for (const line of [
      'client_tls_sslmode = require',
      'client_tls_key_file = /k',
      'server_tls_sslmode = verify-full',
      'server_tls_ca_file = /ca',
      'client_tls_protocols = tlsv1.2,tlsv1.3',
    ])
      assert.ok(ini.split('\n').includes(line), line);
  });

  test('GIVEN a pooler setting tls owns WHEN parsed THEN it is refused with the reason', () => {
    assert.deepEqual(issues({ name: 'o', pooler: { parameters: { client_tls_sslmode: 'disable' } } }), [
      'pooler.parameters.client_tls_sslmode: is owned by pgcluster and cannot be set (set from tls)',
    ]);
  });
});

describe('certificate names and URIs', () => {
  test('GIVEN a namespace WHEN server names are listed THEN the service names come in every form clients use', () => {
    const { dnsNames, ipAddresses } = serverNames('orders', { namespace: 'db' });
    for (const n of [
      'orders-rw',
      'orders-ro.db',
      'orders-r.db.svc',
      'orders-rw.db.svc.cluster.local',
      'orders-pooler.db.svc',
    ])
      assert.ok(dnsNames.includes(n), n);
    assert.deepEqual(ipAddresses, []);
    assert.deepEqual(serverNames('orders', { local: true }).ipAddresses, ['127.0.0.1', '::1']);
  });

  test('GIVEN platform.local.host WHEN server names are listed THEN that address is named too, once', () => {
    assert.deepEqual(serverNames('orders', { local: true, host: '10.246.1.1' }).ipAddresses, [
      '127.0.0.1',
      '::1',
      '10.246.1.1',
    ]);
    assert.deepEqual(serverNames('orders', { local: true, host: '127.0.0.1' }).ipAddresses, [
      '127.0.0.1',
      '::1',
    ]);
    assert.ok(serverNames('orders', { local: true, host: 'db.site-a' }).dnsNames.includes('db.site-a'));
  });

  test('GIVEN the headless Service and port-forwards (kubernetes) WHEN server names are listed THEN every pod and 127.0.0.1 are named', () => {
    const { dnsNames, ipAddresses } = serverNames('orders', {
      namespace: 'db',
      headless: 'orders-members',
      loopback: true,
    });
    assert.ok(dnsNames.includes('*.orders-members.db.svc'));
    assert.ok(dnsNames.includes('*.orders-members.db.svc.cluster.local'));
    assert.ok(dnsNames.includes('localhost'));
    assert.ok(!dnsNames.some((n) => n.startsWith('*.orders.')));
    assert.deepEqual(ipAddresses, ['127.0.0.1', '::1']);
  });

  test('GIVEN a CA path WHEN the URI query is made THEN it asks verify-full with that root, escaped', () => {
    assert.equal(uriTlsQuery('/s/a b/ca.crt'), 'sslmode=verify-full&sslrootcert=/s/a%20b/ca.crt');
    assert.equal(uriTlsQuery(undefined), '');
  });
});

describe('monitoring renders parameters and the preload list in one place', () => {
  test('GIVEN statements, autoExplain, audit and json logs WHEN rendered THEN each extension is preloaded once, sorted, with its settings', () => {
    const p = renderParameters(
      parseSpec({
        name: 'o',
        parameters: { shared_preload_libraries: 'pg_stat_statements, pg_prewarm' },
        monitoring: {
          logFormat: 'json',
          autoExplain: { minDuration: '250ms' },
          audit: { log: ['ddl', 'write'] },
        },
      }),
    );
    assert.equal(p.shared_preload_libraries, 'auto_explain,pg_prewarm,pg_stat_statements,pgaudit');
    assert.equal(p.log_destination, 'jsonlog');
    assert.equal(p['auto_explain.log_min_duration'], '250ms');
    assert.equal(p['auto_explain.log_format'], 'json');
    assert.equal(p['pgaudit.log'], 'ddl,write');
    assert.equal(p['pg_stat_statements.max'], '5000');
  });

  test('GIVEN no monitoring key WHEN rendered THEN pg_stat_statements stays preloaded as before', () => {
    assert.equal(renderParameters(parseSpec({ name: 'o' })).shared_preload_libraries, 'pg_stat_statements');
  });

  test('GIVEN only the log format changes WHEN rendered THEN the preload list is the same string (no restart)', () => {
    const a = renderParameters(parseSpec({ name: 'o', monitoring: { audit: {} } }));
    const b = renderParameters(parseSpec({ name: 'o', monitoring: { audit: {}, logFormat: 'json' } }));
    assert.equal(a.shared_preload_libraries, b.shared_preload_libraries);
    assert.notEqual(a.log_destination, b.log_destination);
  });
});

describe('tls and monitoring rules', () => {
  const cases: Array<[string, unknown, string[]]> = [
    [
      'required without enabled',
      { tls: { enabled: false, required: true } },
      ['tls.required: true is not allowed while tls.enabled is false'],
    ],
    [
      'renewal not before expiry',
      { tls: { days: 10, renewBeforeDays: 10 } },
      ['tls.renewBeforeDays: 10 must be < tls.days (10)'],
    ],
    [
      'own server cert with a generated CA',
      { tls: { server: { certFile: 'a', keyFile: 'b' } } },
      ['tls.server: your own server certificate needs your CA too'],
    ],
    [
      'a CA Secret on the local platform',
      { tls: { ca: { secret: 'my-ca' } } },
      ['tls.ca.secret: "my-ca" is not allowed on platform.local'],
    ],
    [
      'a CA Secret name Kubernetes does not take',
      { platform: { kubernetes: {} }, tls: { ca: { secret: 'My_CA' } } },
      ['tls.ca.secret: "My_CA" is not allowed: a Secret name is a DNS subdomain'],
    ],
    [
      'a CA Secret with your own server files',
      {
        platform: { kubernetes: {} },
        tls: { ca: { secret: 'my-ca' }, server: { certFile: 'a', keyFile: 'b' } },
      },
      ['tls.server: your own server certificate is checked against your CA'],
    ],
    [
      'a CA given both ways',
      { platform: { kubernetes: {} }, tls: { ca: { secret: 'my-ca', certFile: 'a', keyFile: 'b' } } },
      ['tls.ca'],
    ],
    [
      'a cert user pg_hba cannot take',
      { tls: { clientAuth: { users: ['a b'] } } },
      ['tls.clientAuth.users[0]: "a b" is not allowed'],
    ],
    [
      "pgcluster's own role",
      { tls: { clientAuth: { users: ['postgres'] } } },
      ['tls.clientAuth.users[0]: "postgres" is not allowed'],
    ],
    [
      'exporters above the port range',
      { platform: { local: { basePort: 32700 } }, monitoring: {} },
      ['platform.local.basePort: 32700 is not allowed with monitoring.exporters'],
    ],
    [
      'a PodMonitor locally',
      { monitoring: { podMonitor: true } },
      ['monitoring.podMonitor: applies to platform.kubernetes only'],
    ],
    [
      'a PodMonitor without exporters on kubernetes',
      { platform: { kubernetes: {} }, monitoring: { exporters: false, podMonitor: true } },
      ['monitoring.podMonitor: true needs monitoring.exporters true'],
    ],
    [
      'an unknown audit class',
      { monitoring: { audit: { log: ['everything'] } } },
      ['monitoring.audit.log[0]'],
    ],
  ];
  for (const [what, extra, expected] of cases)
    test(`GIVEN ${what} WHEN parsed THEN it is refused naming the field and value`, () => {
      const found = issues({ name: 'o', ...(extra as object) });
      for (const e of expected)
        assert.ok(
          found.some((f) => f.startsWith(e)),
          `${e} in ${JSON.stringify(found)}`,
        );
    });

  test('GIVEN statistics, audit and json logs on kubernetes without exporters WHEN parsed THEN there is no issue', () => {
    assert.deepEqual(
      issues({
        name: 'o',
        platform: { kubernetes: {} },
        monitoring: { exporters: false, logFormat: 'json', audit: {} },
      }),
      [],
    );
  });

  test('GIVEN generated tls, required, and exporters with a PodMonitor on kubernetes WHEN parsed THEN there is no issue', () => {
    assert.deepEqual(
      issues({
        name: 'o',
        platform: { kubernetes: {} },
        tls: {
          required: true,
          clientAuth: { users: ['alice'] },
          ca: { certFile: 'ca.pem', keyFile: 'ca.key' },
        },
        monitoring: { podMonitor: true, logFormat: 'json' },
      }),
      [],
    );
  });

  test('GIVEN a CA Secret on kubernetes WHEN parsed THEN there is no issue and the name is kept', () => {
    const input = { name: 'o', platform: { kubernetes: {} }, tls: { ca: { secret: 'cert-manager-ca' } } };
    assert.deepEqual(issues(input), []);
    assert.deepEqual(parseSpec(input).tls?.ca, { secret: 'cert-manager-ca' });
  });

  test('GIVEN a full valid tls and monitoring spec WHEN parsed THEN there is no issue', () => {
    assert.deepEqual(
      issues({
        name: 'o',
        tls: {
          required: true,
          ca: { certFile: 'ca.pem', keyFile: 'ca.key' },
          server: { certFile: 's', keyFile: 'k' },
          clientAuth: { users: ['alice'] },
        },
        monitoring: { logFormat: 'json', audit: {}, autoExplain: {} },
      }),
      [],
    );
  });
});
