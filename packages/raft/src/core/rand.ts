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
  // splitmix32-style finaliser over the whole input sequence: every part changes every output word.
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
    x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
    return (x ^ (x >>> 15)) >>> 0;
  };
  let h = 0x9e3779b9;
  for (const p of [seed, ...streams]) h = mix((h + Math.imul(p >>> 0, 0x85ebca6b) + 0x6d2b79f5) >>> 0);
  const w0 = mix(h ^ 0x1b873593);
  const w1 = mix(w0 + 0x7f4a7c15);
  const w2 = mix(w1 + 0x7f4a7c15);
  const w3 = mix(w2 + 0x7f4a7c15);
  return sfc32(w0, w1, w2, w3);
}
