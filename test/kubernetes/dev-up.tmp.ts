import { kubernetesCluster } from './support/cluster';
import { kubernetesStack } from './support/stack';
(async () => {
  const c = await kubernetesCluster();
  const s = await kubernetesStack(c, 'dev');
  console.log('project', s.project.dir, 'backend', s.sandbox.backendDir, 'home', s.sandbox.env.PULUMI_HOME);
  for (const args of [
    ['up', '--yes', '--skip-preview'],
    ['preview', '--diff'],
    ['refresh', '--yes', '--diff'],
  ]) {
    const t = Date.now();
    const r = await s.project.pulumi(args);
    console.log(r.output.slice(-5000));
    console.log(args[0], 'code', r.code, (Date.now() - t) / 1000, 's');
  }
  console.log(JSON.stringify(await s.outputs()));
})();
