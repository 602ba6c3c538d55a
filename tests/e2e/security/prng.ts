import { mulberry32 } from "../../support/prng.ts";
/** A tiny seeded PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export const prng: (seed: number) => () => number = mulberry32;

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

export function int(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}
