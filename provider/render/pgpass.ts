/** One line of a libpq password file, with ':' and '\' escaped as libpq reads them. */
export function pgpassLine(
  host: string,
  port: number,
  database: string,
  user: string,
  password: string,
): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `${esc(host)}:${port}:${esc(database)}:${esc(user)}:${esc(password)}\n`;
}
