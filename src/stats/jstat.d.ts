// jstat ships without type declarations; this covers only the distributions used in src/stats.
declare module 'jstat' {
  interface ContinuousDistribution {
    cdf(x: number, ...parameters: number[]): number;
    inv(probability: number, ...parameters: number[]): number;
  }

  export const jStat: {
    normal: ContinuousDistribution;
    studentt: ContinuousDistribution;
    chisquare: ContinuousDistribution;
    /** ln B(a, b). */
    betaln(a: number, b: number): number;
  };
}
