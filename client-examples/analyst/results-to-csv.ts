/**
 * An analyst's script: pulls an experiment's results from Uplift and writes them as CSV, one row
 * per metric and arm (control rows carry no comparison).
 *
 *   UPLIFT_URL=http://localhost:4000 UPLIFT_KEY=<analyst key> \
 *     npx ts-node --transpile-only client-examples/analyst/results-to-csv.ts activity-incentives > results.csv
 *
 * Options after the key: `--by-tier` adds one block of rows per tier; `--bh` adjusts p-values with
 * Benjamini-Hochberg instead of Holm.
 */
import { request } from '../typed-client';
import { AnalystResultsDocument, type AnalystMetricFragment } from './operations.generated';

export const CSV_COLUMNS = [
  'experiment', 'computed_at', 'segment', 'metric', 'role', 'variant', 'is_control', 'users', 'value', 'value_lower', 'value_upper',
  'absolute_lift', 'absolute_lift_lower', 'absolute_lift_upper', 'relative_lift', 'relative_lift_lower', 'relative_lift_upper',
  'p_value', 'adjusted_p_value', 'significant',
];

const cell = (value: unknown) => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export async function fetchResultsCsv(url: string, key: string, experimentKey: string, options: { byTier?: boolean; bh?: boolean } = {}): Promise<string> {
  // The query is results.graphql; its variables and answer are typed from the schema.
  const { experimentResults: results } = await request(url, key, AnalystResultsDocument, {
    key: experimentKey,
    segmentBy: options.byTier ? 'TIER' : 'NONE',
    adjustment: options.bh ? 'BH' : 'HOLM',
  });
  const rows: unknown[][] = [CSV_COLUMNS];
  const block = (segment: string, metrics: AnalystMetricFragment[]) => {
    for (const metric of metrics) {
      for (const arm of metric.arms) {
        const c = metric.comparisons.find((comparison) => comparison.variantKey === arm.variantKey);
        rows.push([
          results.experimentKey, results.computedAt, segment, metric.metricKey, metric.role, arm.variantKey, arm.isControl, arm.users,
          arm.value, arm.interval?.lower, arm.interval?.upper,
          c?.absoluteLift, c?.absoluteLiftInterval?.lower, c?.absoluteLiftInterval?.upper,
          c?.relativeLift, c?.relativeLiftInterval?.lower, c?.relativeLiftInterval?.upper,
          c?.pValue, c?.adjustedPValue, c?.significant,
        ]);
      }
    }
  };
  block('all', results.metrics);
  for (const segment of results.segments) block(`tier:${segment.tier ?? ''}`, segment.metrics);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

if (require.main === module) {
  const [experimentKey, ...flags] = process.argv.slice(2);
  const url = process.env.UPLIFT_URL ?? 'http://localhost:4000';
  const key = process.env.UPLIFT_KEY;
  if (!experimentKey || !key) {
    console.error('usage: UPLIFT_URL=... UPLIFT_KEY=<analyst key> results-to-csv.ts <experiment-key> [--by-tier] [--bh]');
    process.exit(2);
  }
  fetchResultsCsv(url, key, experimentKey, { byTier: flags.includes('--by-tier'), bh: flags.includes('--bh') })
    .then((csv) => process.stdout.write(csv))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
