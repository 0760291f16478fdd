import { createHash } from 'node:crypto';

/** A seeded pseudo-random stream (mulberry32): the same seed gives the same run. */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An integer in [0, n). */
  int(n: number): number;
  /** 32 lowercase hex characters. */
  hex(length: number): string;
  /** A version-4-shaped UUID. */
  uuid(): string;
}

/** Creates a stream from a seed and a stream name, so independent sites do not disturb each other. */
export function createPrng(seed: number | string, stream = ''): Prng {
  let state = createHash('sha256').update(`${seed}/${stream}`).digest().readUInt32LE(0);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (length: number) => {
    let out = '';
    while (out.length < length) out += Math.floor(next() * 16).toString(16);
    return out;
  };
  return {
    next,
    chance: (p) => p > 0 && next() < p,
    int: (n) => Math.floor(next() * n),
    hex,
    uuid: () => {
      const h = hex(32);
      const variant = '89ab'[Math.floor(next() * 4)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}

/** A stable hex digest of a string (ids and digests derived from names). */
export function stableHex(text: string, length = 64): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
