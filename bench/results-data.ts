/**
 * The bench:results data set, shared by bench:results and bench:pages: 1,000,000 exposed users of
 * activity-incentives and advisor-pilot and about 10,000,000 events shaped like the demo scenario.
 *
 * Loading stands in for ingestion: COPY into events and exposures (and 1% of the users seen in
 * another variant too, for the multiple-variant check), then the per-user daily
 * summaries filled with INSERT ... SELECT ... GROUP BY, and each exposure's active days and metric
 * values rebuilt from those, which is what trackEvents, folding and exposure logging would have
 * kept current.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RunningUplift } from '../src/app';
import { postGraphQL } from '../src/testing/harness';
import { demoUsers, type DemoOptions } from '../src/demo/scenario';
import { mulberry32 } from '../src/common/random';
import { rebuildActiveDays, rebuildMetricValues } from '../src/analytics/metric-values';

export const USERS = 1_000_000;
const DAY_MS = 86_400_000;

function demoOptions(): DemoOptions {
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  // Arrivals over the 28 days up to yesterday, as an experiment four weeks into its run.
  return { users: USERS, seed: 20261124, today, firstArrivalDaysAgo: 28, lastArrivalDaysAgo: 1 };
}

const csv = (value: unknown) => (value === null ? '' : `"${String(value).replace(/"/g, '""')}"`);

async function copyRows(client: Client, statement: string, lines: () => Generator<string>): Promise<void> {
  await pipeline(Readable.from(lines()), client.query(copyFrom(statement)));
}

async function load(databaseUrl: string, dataSource: RunningUplift['dataSource']): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const options = demoOptions();
    await copyRows(client, 'COPY exposures (experiment_key, phase, user_id, variant_key, tier, exposed_at) FROM STDIN WITH (FORMAT csv)', function* () {
      for (const user of demoUsers(options)) {
        yield `${[user.experimentKey, 1, user.userId, user.variantKey, user.tier, user.exposedAt.toISOString()].map(csv).join(',')}\n`;
      }
    });
    // About one user in a hundred also seen in another variant (an SDK on a stale configuration), as trackExposures keeps them.
    await client.query(`INSERT INTO other_variant_exposures (experiment_key, phase, user_id, variant_key, last_exposed_at)
      SELECT experiment_key, phase, user_id,
        CASE WHEN variant_key <> 'control' THEN 'control' WHEN experiment_key = 'advisor-pilot' THEN 'advisor' ELSE 'check-in' END, exposed_at + interval '1 hour'
      FROM exposures WHERE hashtext(user_id) % 100 = 0`);
    let events = 0;
    // The demo generator gives about 11.7 events per user; a second seeded stream keeps 61% of the
    // extra app opens (never the first of a user's day, so active days and rates are unchanged),
    // which brings the total near 10,000,000.
    const thin = mulberry32(1);
    await copyRows(client, 'COPY events (id, user_id, type, value, occurred_at) FROM STDIN WITH (FORMAT csv)', function* () {
      for (const user of demoUsers(options)) {
        const openDays = new Set<number>();
        for (const event of user.events) {
          if (event.type === 'app_open') {
            const day = Math.floor(event.occurredAt.getTime() / DAY_MS);
            if (openDays.has(day) && thin() >= 0.61) continue;
            openDays.add(day);
          }
          events++;
          yield `e${events},${user.userId},${event.type},${event.value ?? ''},${event.occurredAt.toISOString()}\n`;
        }
      }
    });
    await client.query(`INSERT INTO user_event_days (user_id, day, event_type, event_count, value_sum)
      SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date, type, count(*), coalesce(sum(value), 0) FROM events GROUP BY 1, 2, 3`);
    await client.query(`INSERT INTO user_activity (user_id, first_active_at, last_active_at)
      SELECT user_id, min(occurred_at), max(occurred_at) FROM events GROUP BY 1`);
    // Each exposure's active days and metric values, as exposure logging and ingestion would have kept them.
    await dataSource.transaction(async (manager) => {
      await rebuildActiveDays(manager);
      await rebuildMetricValues(manager, null);
    });
    await client.query('VACUUM ANALYZE');
    return events;
  } finally {
    await client.end();
  }
}


/** Creates and starts the two experiments through the API, then loads their users and events; returns the number of events. */
export async function loadResultsData(uplift: RunningUplift, databaseUrl: string, adminKey: string): Promise<number> {
  const gql = async (query: string) => {
    const result = await postGraphQL(uplift.url, query, undefined, adminKey);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  };
  await gql(`mutation { createExperiment(input: { key: "activity-incentives", name: "Activity incentives",
    variants: [{ key: "control", name: "Control", weight: 33.34, isControl: true }, { key: "check-in", name: "Check-in", weight: 33.33 }, { key: "task-system", name: "Task system", weight: 33.33 }],
    primaryMetricKey: "d7_retention", secondaryMetricKeys: ["d1_retention", "d30_retention", "paid_conversion_14d", "revenue_per_user_14d"], guardrailMetricKeys: ["complaint_rate", "reward_cost"] }) { key } }`);
  await gql(`mutation { createExperiment(input: { key: "advisor-pilot", name: "Advisor pilot", targeting: { tiers: ["high_value"] },
    variants: [{ key: "control", name: "Control", weight: 50, isControl: true }, { key: "advisor", name: "Advisor", weight: 50 }],
    primaryMetricKey: "d7_retention", secondaryMetricKeys: ["d1_retention", "d30_retention", "paid_conversion_14d", "revenue_per_user_14d"], guardrailMetricKeys: ["complaint_rate", "reward_cost"] }) { key } }`);
  await gql('mutation { startExperiment(key: "activity-incentives", version: 1) { key } }');
  await gql('mutation { startExperiment(key: "advisor-pilot", version: 1) { key } }');
  const loadStarted = Date.now();
  const events = await load(databaseUrl, uplift.dataSource);
  console.log(`loaded ${USERS.toLocaleString('en')} exposed users and ${events.toLocaleString('en')} events in ${Math.round((Date.now() - loadStarted) / 1000)} s`);
  return events;
}
