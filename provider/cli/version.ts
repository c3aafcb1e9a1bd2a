import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's version, from its package.json (two levels up from provider/cli and from dist/cli). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
