/**
 * PostgresCluster construction under pulumi.runtime.setMocks: 1 and 100 clusters (kubernetes
 * platform with a pooler: 24 resources each), time and memory, side by side with a baseline built
 * in the same run: the same number of bare @pulumi/kubernetes ConfigMaps (what the engine has to
 * register anyway), so the figures show pgcluster's own cost.
 * Run: npm run bench:component
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { PostgresCluster } from '../provider/pulumi/component';

let registered = 0;
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered++;
      // Dynamic resources' outputs come from their providers; give them plausible values.
      const outputs = args.type.endsWith(':GeneratedPassword') ? { value: `pw-${args.name}` } : {};
      return { id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs, ...outputs } };
    },
    call: () => ({}),
  },
  'bench',
  'bench',
  false,
);

async function settle(): Promise<void> {
  let last = -1;
  while (last !== registered) {
    last = registered;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(
  label: string,
  build: () => void,
): Promise<{ label: string; ms: number; mb: number; resources: number }> {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = registered;
  const t0 = process.hrtime.bigint();
  build();
  await settle();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 - 50; // minus the final quiet period
  global.gc?.();
  const mb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  return { label, ms, mb, resources: registered - start };
}

const spec = (i: number) => ({
  instances: 3,
  platform: { kubernetes: { namespace: `ns-${i}` } },
  synchronous: { number: 1 },
});

async function main(): Promise<void> {
  const rows = [];
  for (const count of [1, 100]) {
    const ours = await measure(`PostgresCluster x ${count}`, () => {
      for (let i = 0; i < count; i++) new PostgresCluster(`c${count}-${i}`, spec(i));
    });
    const perCluster = ours.resources / count;
    const base = await measure(`baseline: ${ours.resources} ConfigMaps`, () => {
      for (let i = 0; i < ours.resources; i++)
        new k8s.core.v1.ConfigMap(`b${count}-${i}`, { metadata: { name: `b${i}` }, data: { k: 'v' } });
    });
    rows.push({ count, perCluster, ours, base });
  }
  console.log('\nPostgresCluster construction under mocks (kubernetes platform, pooler on)');
  console.log(
    'clusters | resources | pgcluster ms | pgcluster heap MB | baseline ms | baseline heap MB | ms/cluster',
  );
  for (const r of rows)
    console.log(
      [
        String(r.count).padStart(8),
        String(r.ours.resources).padStart(9),
        r.ours.ms.toFixed(0).padStart(12),
        r.ours.mb.toFixed(1).padStart(17),
        r.base.ms.toFixed(0).padStart(11),
        r.base.mb.toFixed(1).padStart(16),
        (r.ours.ms / r.count).toFixed(1).padStart(10),
      ].join(' | '),
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
