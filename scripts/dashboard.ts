// Writes dashboards/pgcluster.json from provider/render/dashboard.ts (`npm run dashboard`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboardJson } from '../provider/render/dashboard';

writeFileSync(join(__dirname, '..', 'dashboards', 'pgcluster.json'), renderDashboardJson());
