import { compareMeans, MeanComparison } from './means';
import { ArmSummary, meanSummaryOf, MeanSummary } from './summary';
import { assertFinite } from './validation';

/** Pre-period covariate X of an arm's users: Σx, Σx² and the cross sum Σxy with the metric Y. */
export interface CovariateSums {
  sum: number;
  sumSquares: number;
  crossSum: number;
}

/** An arm's metric sums plus its covariate sums; null covariate when there is no pre-period data. */
export interface CovariateArmSummary extends ArmSummary {
  covariate: CovariateSums | null;
}

export interface CupedAdjustment {
  /** False when it fell back to the plain comparison: no pre-period data, or X constant within arms. */
  applied: boolean;
  /** Pooled within-arm cov(X, Y) / var(X); 0 when not applied. */
  theta: number;
  /** 1 - Var(adjusted difference) / Var(plain difference); 0 when not applied. */
  varianceReduction: number;
}

export interface CupedComparison extends MeanComparison {
  cuped: CupedAdjustment;
}

export interface CupedOptions {
  alpha?: number;
  /** Every arm of the experiment, so that theta and the centre of X are shared by all comparisons; defaults to the two compared. */
  allArms?: CovariateArmSummary[];
}

interface CentredSums {
  xx: number;
  xy: number;
  yy: number;
}

/** Sums of squares and cross products about the arm's own means. */
function centredSums(arm: CovariateArmSummary, covariate: CovariateSums): CentredSums {
  return {
    xx: covariate.sumSquares - (covariate.sum * covariate.sum) / arm.n,
    xy: covariate.crossSum - (covariate.sum * arm.sum) / arm.n,
    yy: arm.sumSquares - (arm.sum * arm.sum) / arm.n,
  };
}

function assertCovariate(label: string, covariate: CovariateSums): void {
  assertFinite(`${label}.covariate.sum`, covariate.sum);
  assertFinite(`${label}.covariate.sumSquares`, covariate.sumSquares);
  assertFinite(`${label}.covariate.crossSum`, covariate.crossSum);
}

/**
 * theta = cov(X, Y) / var(X), pooled over all arms with each arm centred on its own means, so a
 * treatment effect on Y cannot leak into theta. Null when any arm lacks pre-period data or X
 * does not vary within arms (nothing to regress on).
 */
export function cupedTheta(arms: CovariateArmSummary[]): number | null {
  let xx = 0;
  let xy = 0;
  for (const arm of arms) {
    if (!arm.covariate) return null;
    const sums = centredSums(arm, arm.covariate);
    xx += sums.xx;
    xy += sums.xy;
  }
  // Relative threshold: sums of squares of a constant X come out as rounding noise, not exactly 0.
  const scale = arms.reduce((total, arm) => total + Math.abs(arm.covariate!.sumSquares), 0);
  return xx > 1e-12 * scale ? xy / xx : null;
}

/** The arm's summary of Y - theta (X - overall mean of X): same expectation, smaller variance. */
function adjustedSummary(
  arm: CovariateArmSummary,
  covariate: CovariateSums,
  theta: number,
  overallCovariateMean: number,
): MeanSummary {
  const sums = centredSums(arm, covariate);
  return {
    n: arm.n,
    mean: arm.sum / arm.n - theta * (covariate.sum / arm.n - overallCovariateMean),
    variance: Math.max(0, (sums.yy - 2 * theta * sums.xy + theta * theta * sums.xx) / (arm.n - 1)),
  };
}

export interface CupedAdjustedArms {
  /** The adjusted control and treatment, ready for compareMeans, sequentialCompareMeans or bayesianCompareMeans. */
  control: MeanSummary;
  treatment: MeanSummary;
  cuped: CupedAdjustment;
}

/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013): each arm's summary of Y - theta (X - mean X), with theta
 * treated as known (its estimation error is of smaller order). The plain summaries when
 * cupedTheta is null. allArms must include the two compared; it defaults to them.
 */
export function cupedAdjust(
  control: CovariateArmSummary,
  treatment: CovariateArmSummary,
  allArms: CovariateArmSummary[] = [control, treatment],
): CupedAdjustedArms {
  const plainControl = meanSummaryOf(control, 'control');
  const plainTreatment = meanSummaryOf(treatment, 'treatment');
  allArms.forEach((arm, index) => {
    meanSummaryOf(arm, `allArms[${index}]`);
    if (arm.covariate) assertCovariate(`allArms[${index}]`, arm.covariate);
  });
  const theta = cupedTheta(allArms);
  if (theta === null || !control.covariate || !treatment.covariate) {
    return {
      control: plainControl,
      treatment: plainTreatment,
      cuped: { applied: false, theta: 0, varianceReduction: 0 },
    };
  }

  const totalUsers = allArms.reduce((total, arm) => total + arm.n, 0);
  const overallCovariateMean =
    allArms.reduce((total, arm) => total + arm.covariate!.sum, 0) / totalUsers;
  const adjustedControl = adjustedSummary(control, control.covariate, theta, overallCovariateMean);
  const adjustedTreatment = adjustedSummary(treatment, treatment.covariate, theta, overallCovariateMean);
  const differenceVariance = (summary: MeanSummary, other: MeanSummary) =>
    summary.variance / summary.n + other.variance / other.n;
  const plainVariance = differenceVariance(plainControl, plainTreatment);
  return {
    control: adjustedControl,
    treatment: adjustedTreatment,
    cuped: {
      applied: true,
      theta,
      varianceReduction:
        plainVariance > 0 ? 1 - differenceVariance(adjustedControl, adjustedTreatment) / plainVariance : 0,
    },
  };
}

/** Welch's comparison (treatment - control) of the CUPED-adjusted arms, with the adjustment made. */
export function compareMeansCuped(
  control: CovariateArmSummary,
  treatment: CovariateArmSummary,
  { alpha = 0.05, allArms }: CupedOptions = {},
): CupedComparison {
  const adjusted = cupedAdjust(control, treatment, allArms);
  return { ...compareMeans(adjusted.control, adjusted.treatment, alpha), cuped: adjusted.cuped };
}
