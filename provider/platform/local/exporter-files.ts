/**
 * Where a local cluster's exporters are and whether they run (light: no renderer; status reads it).
 * Starting and stopping them: exporters.ts.
 */
import { join } from 'node:path';
import type { ClusterSpec } from '../../spec/cluster';
import { memberName } from '../../naming';
import { memberContext, type LocalCluster } from './cluster-context';
import { LOCAL_HOST } from './ports';
import { isAlive, readPid } from './process';
import { memberPids } from './pids';

/** Where the exporters' files are (light: paths only). */
export function exporterPaths(lc: LocalCluster) {
  const dir = join(lc.paths.root, 'monitoring');
  return {
    dir,
    queries: join(dir, 'queries.yaml'),
    superuserPass: join(dir, 'superuser.pass'),
    poolerPass: join(dir, 'pooler-admin.pass'),
    poolerConfig: join(dir, 'pooler-exporter.json'),
    member: (name: string) => ({ pid: join(dir, `${name}.pid`), log: join(dir, `${name}.log`) }),
    pooler: { pid: join(dir, 'pooler-exporter.pid'), log: join(dir, 'pooler-exporter.log') },
  };
}

export function exporterPort(lc: LocalCluster, slot: number): number {
  return lc.basePort + 60 + slot;
}

export function poolerExporterPort(lc: LocalCluster): number {
  return lc.basePort + 3;
}

export function running(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  return isAlive(pid) ? pid : undefined;
}

/** The exporters' ports and whether they run, for status. */
export function exporterServices(
  lc: LocalCluster,
  spec: ClusterSpec,
  slots: readonly number[],
): Record<string, { running: boolean; pid?: number; port: number; url: string }> {
  if (!spec.monitoring?.exporters) return {};
  const p = exporterPaths(lc);
  const entry = (pidFile: string, port: number) => {
    const pid = running(pidFile);
    return {
      running: pid !== undefined,
      ...(pid ? { pid } : {}),
      port,
      url: `http://${LOCAL_HOST}:${port}/metrics`,
    };
  };
  return {
    ...Object.fromEntries(
      slots.map((s) => {
        const name = memberName(lc.name, s);
        return [`exporter ${name}`, entry(p.member(name).pid, exporterPort(lc, s))];
      }),
    ),
    ...(spec.pooler.enabled ? { 'exporter pooler': entry(p.pooler.pid, poolerExporterPort(lc)) } : {}),
    ...Object.fromEntries(
      slots.map((s) => {
        const m = memberContext(lc, s);
        const pid = memberPids(lc, m.name).patroni;
        const url = `${lc.tls ? 'https' : 'http'}://${m.host}:${m.restPort}/metrics`;
        return [
          `patroni ${m.name}`,
          { running: pid !== undefined, ...(pid ? { pid } : {}), port: m.restPort, url },
        ];
      }),
    ),
  };
}
