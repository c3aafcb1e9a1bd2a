/** PostgreSQL WAL positions ("16/B374D848"): parsed, compared, subtracted. Pure. */

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): bigint {
  const m = LSN.exec(text.trim());
  if (!m) throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** Bytes from `from` to `to` (negative when `to` is behind). */
export function lsnDiff(to: string, from: string): bigint {
  return parseLsn(to) - parseLsn(from);
}

/** True when `reached` is at or past `target`. */
export function lsnReached(reached: string, target: string): boolean {
  return lsnDiff(reached, target) >= 0n;
}

/** The text form of a WAL position given in bytes (Patroni's xlog locations). */
export function formatLsn(bytes: bigint | number): string {
  const b = BigInt(bytes);
  return `${(b >> 32n).toString(16).toUpperCase()}/${(b & 0xffffffffn).toString(16).toUpperCase()}`;
}
