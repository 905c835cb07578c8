/** Draws for the statistics simulations, from a seeded uniform generator (src/common/random.ts). */

/** Standard normal draws by the Box-Muller transform of a uniform generator. */
export function standardNormal(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform(); // in (0, 1], so the logarithm is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
