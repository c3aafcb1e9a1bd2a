/** The PgBouncer exporter's script, the local platform's own (scripts/), for the pooler pods' ConfigMap. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POOLER_EXPORTER_SCRIPT } from '../../render/kubernetes/monitoring';

export function poolerExporterScript(): string {
  const beside = join(__dirname, '..', 'local', 'scripts');
  const dir = existsSync(beside)
    ? beside
    : join(__dirname, '..', '..', '..', 'provider', 'platform', 'local', 'scripts');
  return readFileSync(join(dir, POOLER_EXPORTER_SCRIPT), 'utf8');
}
