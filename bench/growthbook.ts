/**
 * `npm run bench:growthbook`: local evaluation of every experiment and flag for one user, through
 * each SDK's public API, on the same configuration and users in one run.
 *
 * - Uplift: `LocalUpliftClient.resolve(user)` of the built `@uplift/sdk`, started from `bootstrap`
 *   (the `sdkConfig` of bench/fixture.ts's configuration: 20 experiments in 3 layers, 10 flags, a
 *   holdout), so no request is made.
 * - GrowthBook: its SDK (`GrowthBookClient`, the multi-user one, at its fastest with
 *   NODE_ENV=production) on the payload Uplift serves it for the same configuration
 *   (`GET /api/features/<key>`), `evalFeature` of each of its 30 features.
 *
 * Before timing, both are checked to give the same answer for every item of 10,000 users.
 * One operation is one user: all 30 items.
 */
import { GrowthBookClient, type FeatureApiResponse } from '@growthbook/growthbook';
import { LocalUpliftClient, type SdkConfig, type User } from '@uplift/sdk';
import { serverSdkConfig } from '../src/assignment/sdk-config';
import { experimentFeatureKey, growthBookPayload } from '../src/growthbook/growthbook.rules';
import { benchSnapshot, benchUser } from './fixture';

process.env.NODE_ENV ??= 'production';

const TARGET_RATIO = 10;
/** Short passes, alternating, many of them: the median stays put when other work shares the cores. */
const RUNS = 7;
const USERS = 20_000;
const AGREEMENT_USERS = 10_000;

type GrowthBookUser = { attributes: Record<string, unknown> };
/** The attributes an app hands GrowthBook's SDK for an Uplift user (docs/app-developer.md). */
const toGrowthBookUser = (user: User): GrowthBookUser => ({ attributes: { ...user.attributes, id: user.id, tier: user.tier ?? null } });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const format = (perSecond: number) => Math.round(perSecond).toLocaleString('en-US');

/** Users per second of one pass, and its checksum (so that no result can be optimised away; equal checksums show equal work). */
function measure(users: number, pass: () => number): { perSecond: number; checksum: number } {
  const started = process.hrtime.bigint();
  const checksum = pass();
  return { perSecond: users / (Number(process.hrtime.bigint() - started) / 1e9), checksum };
}

async function main(): Promise<void> {
  const uplift = new LocalUpliftClient({
    url: 'http://127.0.0.1:9',
    key: 'bench',
    bootstrap: serverSdkConfig(benchSnapshot) as SdkConfig,
    refreshIntervalMs: 0,
    // Bootstrap only: the one fetch the client starts with fails at once, and is ignored.
    fetch: () => Promise.reject(new Error('offline')),
    onError: () => undefined,
  });
  if (!(await uplift.ready(1_000))) throw new Error('the bootstrap configuration was not installed');
  const growthBook = new GrowthBookClient().initSync({ payload: growthBookPayload(benchSnapshot) as unknown as FeatureApiResponse });
  const experimentKeys = benchSnapshot.experiments.map((experiment) => experiment.key);
  const flagKeys = benchSnapshot.flags.map((flag) => flag.key);
  const featureKeys = Object.keys(growthBook.getFeatures());
  if (featureKeys.length !== experimentKeys.length + flagKeys.length) throw new Error(`GrowthBook's payload has ${featureKeys.length} features, not ${experimentKeys.length + flagKeys.length}`);

  const users = Array.from({ length: USERS }, (_, i) => benchUser(i));
  const growthBookUsers = users.map(toGrowthBookUser);
  console.log(
    `bench:growthbook: ${users.length.toLocaleString('en-US')} users x ${featureKeys.length} items ` +
      `(${experimentKeys.length} experiments, ${flagKeys.length} flags), Node ${process.version}, NODE_ENV=${process.env.NODE_ENV}`,
  );

  let same = 0;
  let total = 0;
  for (let i = 0; i < AGREEMENT_USERS; i++) {
    const ours = uplift.resolve(users[i]);
    for (const key of experimentKeys) {
      const result = growthBook.evalFeature(experimentFeatureKey(key), growthBookUsers[i]);
      if ((ours.experiments.find((e) => e.experimentKey === key)?.variantKey ?? null) === (result.source === 'experiment' ? result.experimentResult?.key : null)) same++;
      total++;
    }
    for (const flag of ours.flags) {
      if (JSON.stringify(flag.value) === JSON.stringify(growthBook.evalFeature(flag.key, growthBookUsers[i]).value)) same++;
      total++;
    }
  }
  console.log(`agreement on ${AGREEMENT_USERS.toLocaleString('en-US')} users: ${same}/${total} answers identical`);

  const runUplift = (batch: readonly User[]) => () => {
    let checksum = 0;
    for (const user of batch) {
      const resolution = uplift.resolve(user);
      checksum += resolution.experiments.length;
      for (const flag of resolution.flags) if (flag.value) checksum++;
    }
    return checksum;
  };
  const runGrowthBook = (batch: readonly GrowthBookUser[]) => () => {
    let checksum = 0;
    for (const user of batch) for (const key of featureKeys) if (growthBook.evalFeature(key, user).on) checksum++;
    return checksum;
  };

  measure(USERS, runUplift(users));
  measure(USERS, runGrowthBook(growthBookUsers));
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const upliftRun = measure(users.length, runUplift(users));
    const growthBookRun = measure(users.length, runGrowthBook(growthBookUsers));
    ours.push(upliftRun.perSecond);
    theirs.push(growthBookRun.perSecond);
    console.log(`run ${run}: uplift ${format(upliftRun.perSecond)} users/s (checksum ${upliftRun.checksum}), growthbook ${format(growthBookRun.perSecond)} users/s (checksum ${growthBookRun.checksum})`);
  }
  await uplift.close();

  const ratio = median(ours) / median(theirs);
  const met = ratio >= TARGET_RATIO;
  console.log(`uplift LocalUpliftClient.resolve():   ${format(median(ours))} users/s, ${format(median(ours) * featureKeys.length)} items/s (median of ${RUNS})`);
  console.log(`growthbook evalFeature() x ${featureKeys.length}:       ${format(median(theirs))} users/s, ${format(median(theirs) * featureKeys.length)} items/s (median of ${RUNS})`);
  console.log(`ratio uplift/growthbook: ${ratio.toFixed(1)}x; target >= ${TARGET_RATIO}x: ${met ? 'met' : 'NOT met'}`);
  if (!met || same !== total) process.exitCode = 1;
}

void main();
