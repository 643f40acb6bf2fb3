/** A function returning uniform numbers in [0, 1): the only source of randomness the domain accepts. */
export type RandomSource = () => number;

/**
 * Mulberry32: a small, fast 32-bit PRNG. The same seed gives the same sequence on every run and platform,
 * which is what makes u-estimation by random sampling reproducible.
 */
export const seededRandom = (seed: number): RandomSource => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
