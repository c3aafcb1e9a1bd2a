import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardMetrics, renderDashboardJson } from '../../render/dashboard';
import { EXPORTER_QUERIES } from '../../render/exporter-queries';

const SHIPPED = join(__dirname, '..', '..', '..', 'dashboards', 'pgcluster.json');
const POOLER_SCRIPT = join(__dirname, 'scripts', 'pgbouncer-exporter.py');

/** Series pgcluster's exporters produce: the query set (name_column for each non-label column) and the pooler script. */
function exported(): Set<string> {
  const names = Object.entries(EXPORTER_QUERIES).flatMap(([q, spec]) =>
    spec.metrics.flatMap((m) =>
      Object.entries(m)
        .filter(([, v]) => v.usage !== 'LABEL')
        .map(([col]) => `${q}_${col}`),
    ),
  );
  const script = readFileSync(POOLER_SCRIPT, 'utf8');
  const pooler = [...script.matchAll(/\("((?:pools|stats)_[a-z_]+)"/g)].map((m) => `pgbouncer_${m[1]}`);
  return new Set([...names, ...pooler, 'pgbouncer_up', 'pgbouncer_lists_items', 'patroni_primary']);
}

describe('the shipped Grafana dashboard', () => {
  test('GIVEN dashboards/pgcluster.json WHEN compared with the renderer THEN it is up to date (npm run dashboard)', () => {
    assert.equal(readFileSync(SHIPPED, 'utf8'), renderDashboardJson());
  });

  test('GIVEN every panel WHEN its metrics are listed THEN each is one pgcluster exports', () => {
    const have = exported();
    const used = dashboardMetrics();
    assert.ok(used.length >= 10);
    for (const m of used) assert.ok(have.has(m), `${m} is not exported`);
  });
});
