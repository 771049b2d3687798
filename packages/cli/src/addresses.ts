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
