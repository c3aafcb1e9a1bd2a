import type { BootstrapSpec } from './bootstrap';

/**
 * The application database and its owner, whichever way the cluster was bootstrapped. Its own
 * module (types only from the schemas) so that read-only commands can ask without loading zod.
 */
export function appOf(bootstrap: BootstrapSpec): { owner: string; database: string } {
  const from = bootstrap.initdb ?? bootstrap.pgBasebackup ?? bootstrap.recovery;
  return { owner: from?.owner ?? 'app', database: from?.database ?? 'app' };
}
