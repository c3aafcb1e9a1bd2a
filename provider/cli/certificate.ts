/** Writes an issued client certificate: `<role>.crt` and `ca.crt` 0644, `<role>.key` 0600 (written 0600 from the start). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function write(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

export function writeClientCertificate(
  dir: string,
  user: string,
  issued: { certificate: string; privateKey: string; ca: string },
): { cert: string; key: string; ca: string } {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const files = { cert: join(out, `${user}.crt`), key: join(out, `${user}.key`), ca: join(out, 'ca.crt') };
  write(files.key, issued.privateKey, 0o600);
  write(files.cert, issued.certificate, 0o644);
  write(files.ca, issued.ca, 0o644);
  return files;
}
