/** `down` (stop, keep data) and `destroy` (stop, remove everything). */
import type { Platform } from '../platform/types';
import { InputError } from '../errors';
import type { Reporter } from '../report/reporter';

export async function down(platform: Platform, name: string, reporter: Reporter): Promise<void> {
  const started = Date.now();
  if (!(await platform.runtime(name)).exists)
    throw new InputError(`no cluster named "${name}" (see \`pgcluster list\`)`);
  await platform.stop(name, reporter);
  reporter.done(
    `stopped ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s; its data is kept (\`pgcluster up\` resumes it)`,
  );
}

export async function destroy(platform: Platform, name: string, reporter: Reporter): Promise<void> {
  const started = Date.now();
  if (!(await platform.destroy(name, reporter))) {
    reporter.done(`no cluster named ${name}: nothing to destroy`);
    return;
  }
  reporter.done(
    `destroyed ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s: no process or file left`,
  );
}
