/**
 * `npm run bench:evaluate`: evaluations per second of Uplift's engine and of GrowthBook's SDK on
 * the same configuration and users, in one run (ratios within a run are what BENCHMARKS.md
 * quotes). One evaluation is one experiment or flag for one user: 30 per user here.
 *
 * GrowthBook gets an equivalent payload built from the same snapshot: each experiment is a feature
 * with one experiment rule (same seed, hash version 2, weights, coverage, and hash filters standing
 * for the holdout and the layer slice), each flag a feature with force rules (rollouts as a hashed
 * range with the same seed). Before timing, both engines are checked to give the same answers.
 */
import { GrowthBookClient, type ConditionInterface, type FeatureDefinition, type FeatureRule, type Filter } from '@growthbook/growthbook';
import { evaluate } from '../src/assignment/evaluate';
import type { ConfigSnapshot, ExperimentSnapshot, FlagRuleSnapshot, FlagSnapshot, JsonValue, UserContext } from '../src/assignment/snapshot';
import type { ConditionOperator, Targeting } from '../src/targeting/targeting.types';
import { BENCH_USER_COUNT, benchSnapshot, benchUser } from './fixture';

// GrowthBook skips its debug logging when NODE_ENV is production: measure it at its fastest.
process.env.NODE_ENV ??= 'production';

const TARGET_RATIO = 2;
const RUNS = 3;
const WARM_UP_USERS = 20_000;
const AGREEMENT_USERS = 10_000;

/** Our operators in GrowthBook's condition language, where it has an exact equivalent. */
const GROWTHBOOK_OPERATORS: Partial<Record<`${ConditionOperator}`, string>> = {
  EQ: '$eq', NEQ: '$ne', IN: '$in', NOT_IN: '$nin', GT: '$gt', GTE: '$gte', LT: '$lt', LTE: '$lte', EXISTS: '$exists',
  SEMVER_EQ: '$veq', SEMVER_GT: '$vgt', SEMVER_GTE: '$vgte', SEMVER_LT: '$vlt', SEMVER_LTE: '$vlte',
};

function toConditions(targeting: Targeting): ConditionInterface[] {
  const clauses = targeting.conditions.map((condition) => {
    const operator = GROWTHBOOK_OPERATORS[condition.operator];
    if (operator === undefined) throw new Error(`no GrowthBook equivalent for ${condition.operator}`);
    return { [condition.attribute]: { [operator]: condition.value } } as ConditionInterface;
  });
  const combined = clauses.length <= 1 ? clauses : [targeting.match === 'ANY' ? { $or: clauses } : { $and: clauses }];
  return targeting.tiers.length > 0 ? [{ tier: { $in: targeting.tiers } }, ...combined] : combined;
}

function toCondition(...targetings: Targeting[]): ConditionInterface | undefined {
  const clauses = targetings.flatMap(toConditions);
  return clauses.length === 0 ? undefined : { $and: clauses };
}

function experimentRule(snapshot: ConfigSnapshot, experiment: ExperimentSnapshot, variations: JsonValue[], ruleTargeting?: Targeting): FeatureRule {
  const filters: Filter[] = [];
  if (snapshot.holdout) filters.push({ seed: snapshot.holdout.seed, hashVersion: 2, ranges: [[snapshot.holdout.percentage / 100, 1]] });
  if (experiment.layer) {
    const layerKey = experiment.layer.key;
    const seed = snapshot.layers.find((layer) => layer.key === layerKey)!.seed;
    filters.push({ seed, hashVersion: 2, ranges: [[experiment.layer.start, experiment.layer.end]] });
  }
  return {
    key: experiment.key,
    seed: experiment.seed,
    hashVersion: 2,
    variations,
    weights: experiment.variants.map((variant) => variant.weight / 100),
    coverage: experiment.trafficAllocation / 100,
    condition: toCondition(experiment.targeting, ...(ruleTargeting ? [ruleTargeting] : [])),
    filters,
    meta: experiment.variants.map((variant) => ({ key: variant.key })),
    phase: String(experiment.phase),
  };
}

function flagRule(snapshot: ConfigSnapshot, flag: FlagSnapshot, rule: FlagRuleSnapshot): FeatureRule {
  switch (rule.kind) {
    case 'VALUE':
      return { id: rule.id, force: rule.value, condition: toCondition(rule.targeting) };
    case 'ROLLOUT':
      return { id: rule.id, force: rule.value, condition: toCondition(rule.targeting), seed: `${flag.seed}:${rule.id}`, hashVersion: 2, range: [0, rule.percentage / 100] };
    case 'EXPERIMENT': {
      const experiment = snapshot.experiments.find((candidate) => candidate.key === rule.experimentKey)!;
      return experimentRule(snapshot, experiment, experiment.variants.map((variant) => rule.values[variant.key]), rule.targeting);
    }
  }
}

const experimentFeatureKey = (experiment: ExperimentSnapshot) => `experiment:${experiment.key}`;

function toGrowthBookFeatures(snapshot: ConfigSnapshot): Record<string, FeatureDefinition> {
  const features: Record<string, FeatureDefinition> = {};
  for (const experiment of snapshot.experiments) {
    features[experimentFeatureKey(experiment)] = { defaultValue: null, rules: [experimentRule(snapshot, experiment, experiment.variants.map((variant) => variant.key))] };
  }
  for (const flag of snapshot.flags) {
    features[flag.key] = { defaultValue: flag.defaultValue, rules: flag.enabled ? flag.rules.map((rule) => flagRule(snapshot, flag, rule)) : [] };
  }
  return features;
}

/** GrowthBook reads the tier and the hash id from its attributes. */
const toGrowthBookUser = (user: UserContext) => ({ attributes: { ...user.attributes, id: user.id, tier: user.tier } });

/** The share of evaluations on which both engines give the same answer. */
function agreement(client: GrowthBookClient, users: UserContext[]): { same: number; total: number } {
  let same = 0;
  let total = 0;
  for (const user of users) {
    const ours = evaluate(benchSnapshot, user);
    const theirs = toGrowthBookUser(user);
    for (const experiment of benchSnapshot.experiments) {
      const assigned = ours.experiments.find((assignment) => assignment.experimentKey === experiment.key)?.variantKey ?? null;
      const result = client.evalFeature(experimentFeatureKey(experiment), theirs);
      if (assigned === (result.experimentResult?.inExperiment ? result.value : null)) same++;
      total++;
    }
    for (const flag of ours.flags) {
      if (JSON.stringify(flag.value) === JSON.stringify(client.evalFeature(flag.key, theirs).value)) same++;
      total++;
    }
  }
  return { same, total };
}

/** Evaluations per second of one pass, and the pass's checksum. */
function measure(evaluations: number, pass: () => number): { perSecond: number; checksum: number } {
  const started = process.hrtime.bigint();
  const checksum = pass();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: evaluations / seconds, checksum };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const format = (perSecond: number) => Math.round(perSecond).toLocaleString('en-US');

function main(): void {
  const users = Array.from({ length: BENCH_USER_COUNT }, (_, i) => benchUser(i));
  const growthBookUsers = users.map(toGrowthBookUser);
  const client = new GrowthBookClient().initSync({ payload: { features: toGrowthBookFeatures(benchSnapshot) } });
  const featureKeys = Object.keys(client.getFeatures());
  const evaluationsPerUser = benchSnapshot.experiments.length + benchSnapshot.flags.length;

  // Each pass returns a checksum of what it computed (assignments, flags on) so that no result can be
  // optimised away; printing them also shows every run did the same work.
  const runOurs = (batch: readonly UserContext[]) => () => {
    let checksum = 0;
    for (const user of batch) {
      const resolution = evaluate(benchSnapshot, user);
      checksum += resolution.experiments.length;
      for (const flag of resolution.flags) if (flag.value) checksum++;
    }
    return checksum;
  };
  const runGrowthBook = (batch: readonly { attributes: Record<string, unknown> }[]) => () => {
    let checksum = 0;
    for (const user of batch) for (const key of featureKeys) if (client.evalFeature(key, user).on) checksum++;
    return checksum;
  };

  console.log(
    `bench:evaluate: ${users.length.toLocaleString('en-US')} users x ${evaluationsPerUser} evaluations ` +
      `(${benchSnapshot.experiments.length} experiments, ${benchSnapshot.flags.length} flags), Node ${process.version}, NODE_ENV=${process.env.NODE_ENV}`,
  );
  const { same, total } = agreement(client, users.slice(0, AGREEMENT_USERS));
  console.log(`agreement with GrowthBook on ${AGREEMENT_USERS.toLocaleString('en-US')} users: ${same}/${total} evaluations identical`);

  const warmUpEvaluations = WARM_UP_USERS * evaluationsPerUser;
  measure(warmUpEvaluations, runOurs(users.slice(0, WARM_UP_USERS)));
  measure(warmUpEvaluations, runGrowthBook(growthBookUsers.slice(0, WARM_UP_USERS)));

  const evaluations = users.length * evaluationsPerUser;
  const ours: number[] = [];
  const growthBook: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const oursRun = measure(evaluations, runOurs(users));
    const growthBookRun = measure(evaluations, runGrowthBook(growthBookUsers));
    ours.push(oursRun.perSecond);
    growthBook.push(growthBookRun.perSecond);
    console.log(
      `run ${run}: uplift ${format(oursRun.perSecond)} evaluations/s (checksum ${oursRun.checksum}), ` +
        `growthbook ${format(growthBookRun.perSecond)} evaluations/s (checksum ${growthBookRun.checksum})`,
    );
  }

  const ratio = median(ours) / median(growthBook);
  const met = ratio >= TARGET_RATIO;
  console.log(`uplift evaluate():             ${format(median(ours))} evaluations/s (median of ${RUNS})`);
  console.log(`growthbook evalFeature():      ${format(median(growthBook))} evaluations/s (median of ${RUNS})`);
  console.log(`ratio uplift/growthbook: ${ratio.toFixed(2)}x; target >= ${TARGET_RATIO}x: ${met ? 'met' : 'NOT met'}`);
  if (!met || same !== total) process.exitCode = 1;
}

main();
