import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RandomSource } from '../core/rand';
import { sfc32 } from '../core/rand';
import type { Runtime } from '../node/types';

/** Real time: a monotonic clock, timers, and setImmediate for deferred work. */
export const systemRuntime: Runtime = {
  now: () => performance.now(),
  setTimer(ms, cb) {
    const t = setTimeout(cb, ms);
    return () => {
      clearTimeout(t);
    };
  },
  defer(cb) {
    setImmediate(cb);
  },
};

/** A PRNG for election timeouts, seeded from the OS so nodes never share a sequence. */
export function systemRandom(): RandomSource {
  const b = randomBytes(16);
  return sfc32(b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12));
}
