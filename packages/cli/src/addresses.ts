import { UsageError } from './errors';

/** `host:port`, with a port in 0–65535 and a non-empty host (IPv6 in brackets). */
export function parseAddress(text: string, what = 'address'): string {
  const a = text.trim();
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(a);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`malformed ${what} "${text}" (expected host:port)`);
  return a;
}

/** A comma-separated list of addresses (repeatable flag values are joined first). */
export function parseAddressList(text: string, what = 'address'): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new UsageError(`no ${what} given`);
  return list.map((a) => parseAddress(a, what));
}

export function parseId(text: string, what = 'node id'): number {
  if (!/^\d{1,10}$/.test(text.trim()) || Number(text) < 1 || Number(text) >= 2 ** 32) {
    throw new UsageError(`malformed ${what} "${text}" (expected a positive integer)`);
  }
  return Number(text);
}

/** `ID=HOST:PORT[,…]`: node ids with addresses. */
export function parseMembers(text: string, flag: string): { id: number; address: string }[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError(`${flag} needs at least one ID=HOST:PORT`);
  return list.map((item) => {
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`malformed ${flag} entry "${item}" (expected ID=HOST:PORT)`);
    return { id: parseId(item.slice(0, eq), 'member id'), address: parseAddress(item.slice(eq + 1), 'member address') };
  });
}
