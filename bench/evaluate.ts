/**
 * `npm run bench:evaluate`: evaluations per second of Uplift's engine and of GrowthBook's SDK on
 * the same configuration and users, in one run (ratios within a run are what BENCHMARKS.md
 * quotes). One evaluation is one experiment or flag for one user: 30 per user here.
 *
 * GrowthBook gets the payload Uplift serves its SDKs (`/api/features/<key>`, built by
 * src/growthbook/growthbook.rules.ts from the same snapshot). Before timing, both engines are
 * checked to give the same answers.
 */
import { GrowthBookClient, type FeatureApiResponse } from '@growthbook/growthbook';
import { evaluate } from '../src/assignment/evaluate';
import type { UserContext } from '../src/assignment/snapshot';
import { experimentFeatureKey, growthBookPayload } from '../src/growthbook/growthbook.rules';
import { BENCH_USER_COUNT, benchSnapshot, benchUser } from './fixture';

// GrowthBook skips its debug logging when NODE_ENV is production: measure it at its fastest.
process.env.NODE_ENV ??= 'production';

const TARGET_RATIO = 2;
const RUNS = 3;
const WARM_UP_USERS = 20_000;
const AGREEMENT_USERS = 10_000;

/** GrowthBook reads the tier and the hash id from its attributes. */
const toGrowthBookUser = (user: UserContext) => ({ attributes: { ...user.attributes, id: user.id, tier: user.tier ?? null } });

/** The share of evaluations on which both engines give the same answer. */
function agreement(client: GrowthBookClient, users: UserContext[]): { same: number; total: number } {
  let same = 0;
  let total = 0;
  for (const user of users) {
    const ours = evaluate(benchSnapshot, user);
    const theirs = toGrowthBookUser(user);
    for (const experiment of benchSnapshot.experiments) {
      const assigned = ours.experiments.find((assignment) => assignment.experimentKey === experiment.key)?.variantKey ?? null;
      const result = client.evalFeature(experimentFeatureKey(experiment.key), theirs);
      if (assigned === (result.source === 'experiment' ? result.experimentResult?.key : null)) same++;
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
  const client = new GrowthBookClient().initSync({ payload: growthBookPayload(benchSnapshot) as unknown as FeatureApiResponse });
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
