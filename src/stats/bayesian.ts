import { logBeta, normalCdf, normalDensity } from './distributions';
import { assertMeanSummary } from './means';
import { assertProportionSample, ProportionSample } from './proportions';
import { MeanSummary } from './summary';

/** A treatment against the control, in the Bayesian reading; losses are in the metric's units. */
export interface BayesianComparison {
  /** P(treatment's true mean > control's), given the data. */
  chanceToBeatControl: number;
  /** E[max(control - treatment, 0)]: what shipping the treatment is expected to give up. */
  treatmentExpectedLoss: number;
  /** E[max(treatment - control, 0)]: what keeping the control is expected to give up. */
  controlExpectedLoss: number;
}

interface BetaPosterior {
  alpha: number;
  beta: number;
}

/**
 * P(X > Y) for X ~ Beta(x.alpha, x.beta), Y ~ Beta(y.alpha, y.beta) with integer x.alpha, by
 * Evan Miller's closed form ("Formulas for Bayesian A/B testing", 2015):
 *   sum over i = 0 .. x.alpha - 1 of B(y.alpha + i, y.beta + x.beta) / ((x.beta + i) B(1 + i, x.beta) B(y.alpha, y.beta)).
 * Successive terms differ by the factor (y.alpha + i)(x.beta + i) / ((y.alpha + y.beta + x.beta + i)(1 + i)),
 * so only the first needs beta functions; the sum runs in logarithms to avoid underflow.
 */
function millerSum(x: BetaPosterior, y: BetaPosterior): number {
  const logTerms = new Float64Array(x.alpha);
  let logTerm = logBeta(y.alpha, y.beta + x.beta) - logBeta(y.alpha, y.beta);
  for (let i = 0; i < x.alpha; i += 1) {
    logTerms[i] = logTerm;
    logTerm += Math.log(((y.alpha + i) * (x.beta + i)) / ((y.alpha + y.beta + x.beta + i) * (1 + i)));
  }
  const largest = logTerms.reduce((max, value) => Math.max(max, value), -Infinity);
  const scaled = logTerms.reduce((sum, value) => sum + Math.exp(value - largest), 0);
  return Math.min(1, Math.max(0, Math.exp(largest) * scaled));
}

/**
 * P(X > Y), choosing the shortest of four equivalent sums: by symmetry P(X > Y) = P(1 - Y > 1 - X)
 * (1 - X ~ Beta(beta, alpha)), and P(X > Y) = 1 - P(Y > X) (ties have probability 0).
 */
function probabilityGreater(x: BetaPosterior, y: BetaPosterior): number {
  const flip = (posterior: BetaPosterior): BetaPosterior => ({ alpha: posterior.beta, beta: posterior.alpha });
  const options: Array<[number, () => number]> = [
    [x.alpha, () => millerSum(x, y)],
    [y.beta, () => millerSum(flip(y), flip(x))],
    [y.alpha, () => 1 - millerSum(y, x)],
    [x.beta, () => 1 - millerSum(flip(x), flip(y))],
  ];
  const [, shortest] = options.reduce((best, option) => (option[0] < best[0] ? option : best));
  return shortest();
}

/** E[max(Y - X, 0)] = E[Y] P(Y+ > X) - E[X] P(Y > X+), where Z+ ~ Beta(alpha + 1, beta) (size-biased Z). */
function expectedShortfall(x: BetaPosterior, y: BetaPosterior): number {
  const mean = (posterior: BetaPosterior) => posterior.alpha / (posterior.alpha + posterior.beta);
  const sizeBiased = (posterior: BetaPosterior) => ({ alpha: posterior.alpha + 1, beta: posterior.beta });
  const shortfall =
    mean(y) * probabilityGreater(sizeBiased(y), x) - mean(x) * probabilityGreater(y, sizeBiased(x));
  return Math.max(0, shortfall);
}

/**
 * Conversion rates with uniform priors: posteriors Beta(1 + successes, 1 + failures). Exact
 * (closed form), so the answer is the same on every call.
 */
export function bayesianCompareProportions(
  control: ProportionSample,
  treatment: ProportionSample,
): BayesianComparison {
  assertProportionSample('control', control);
  assertProportionSample('treatment', treatment);
  const posterior = (sample: ProportionSample): BetaPosterior => ({
    alpha: 1 + sample.successes,
    beta: 1 + sample.trials - sample.successes,
  });
  const controlPosterior = posterior(control);
  const treatmentPosterior = posterior(treatment);
  return {
    chanceToBeatControl: probabilityGreater(treatmentPosterior, controlPosterior),
    treatmentExpectedLoss: expectedShortfall(treatmentPosterior, controlPosterior),
    controlExpectedLoss: expectedShortfall(controlPosterior, treatmentPosterior),
  };
}

/**
 * Means with flat priors and the normal approximation: each arm's mean ~ N(mean, variance / n),
 * so the difference D ~ N(d, s^2) with s^2 the sum. P(D > 0) = Phi(d / s); with the normal loss
 * function, E[max(-D, 0)] = s phi(d / s) - d Phi(-d / s) and E[max(D, 0)] = s phi(d / s) + d Phi(d / s).
 */
export function bayesianCompareMeans(control: MeanSummary, treatment: MeanSummary): BayesianComparison {
  assertMeanSummary('control', control);
  assertMeanSummary('treatment', treatment);
  const difference = treatment.mean - control.mean;
  const spread = Math.sqrt(control.variance / control.n + treatment.variance / treatment.n);
  if (spread === 0) {
    throw new RangeError('both samples have zero variance, so the posterior is degenerate');
  }
  const z = difference / spread;
  return {
    chanceToBeatControl: normalCdf(z),
    treatmentExpectedLoss: spread * normalDensity(z) - difference * normalCdf(-z),
    controlExpectedLoss: spread * normalDensity(z) + difference * normalCdf(z),
  };
}
