import { randomBytes } from 'node:crypto';
import { tokenBytes } from './entries';

/**
 * Commit tokens: 16 bytes, the first 6 the creator's clock in milliseconds (big-endian), the other 10
 * random. The time lets the leader tell a token older than the retention window (whose row may have been
 * pruned) from one that never committed.
 */
export function newToken(nowMs = Date.now()): Uint8Array {
  const t = randomBytes(tokenBytes);
  t.writeUIntBE(Math.max(0, Math.min(nowMs, 2 ** 48 - 1)), 0, 6);
  return new Uint8Array(t.buffer, t.byteOffset, tokenBytes);
}

/** The creation time a token carries. */
export function tokenTime(token: Uint8Array): number {
  return Buffer.from(token.buffer, token.byteOffset, token.length).readUIntBE(0, 6);
}

export function isToken(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === tokenBytes;
}

export function tokenHex(token: Uint8Array): string {
  return Buffer.from(token.buffer, token.byteOffset, token.length).toString('hex');
}
