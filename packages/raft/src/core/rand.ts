/** A source of uniformly distributed numbers in [0, 1). Injected so the core stays deterministic. */
export type RandomSource = () => number;

/**
 * sfc32, a small fast PRNG with a 128-bit state. Deterministic for a given seed; used by the simulator
 * and, seeded from crypto randomness, by production nodes.
 */
export function sfc32(a: number, b: number, c: number, d: number): RandomSource {
  let s0 = a >>> 0;
  let s1 = b >>> 0;
  let s2 = c >>> 0;
  let s3 = d >>> 0;
  const next = (): number => {
    const t = (((s0 + s1) >>> 0) + s3) >>> 0;
    s3 = (s3 + 1) >>> 0;
    s0 = s1 ^ (s1 >>> 9);
    s1 = (s2 + (s2 << 3)) >>> 0;
    s2 = (s2 << 21) | (s2 >>> 11);
    s2 = (s2 + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A PRNG derived from a seed and any number of stream ids (e.g. node id), so streams are independent. */
export function seededRandom(seed: number, ...streams: number[]): RandomSource {
  let h = 0x9e3779b9 ^ seed;
  const mix = (x: number): number => {
    h = Math.imul(h ^ x, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const parts = [seed, ...streams];
  const words = [0, 1, 2, 3].map((k) => parts.reduce((acc, p) => mix(acc ^ p), mix(k * 0x27d4eb2d)));
  return sfc32(words[0] ?? 1, words[1] ?? 2, words[2] ?? 3, words[3] ?? 4);
}
