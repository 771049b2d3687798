/** A value as the shell prints it: NULL, numbers and text as they are, blobs as x'hex'. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString('hex')}'`;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Rows as an aligned text table with a header line. */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  const first = rows[0];
  if (first === undefined) return '';
  const columns = Object.keys(first);
  const cells = rows.map((r) => columns.map((c) => showValue(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}

/** JSON with BigInts as numbers' decimal strings and blobs as base64. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return x.toString();
    if (
      x &&
      typeof x === 'object' &&
      (x as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((x as { data?: unknown }).data)
    ) {
      return Buffer.from((x as { data: number[] }).data).toString('base64');
    }
    return x;
  });
}
