import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../common/logger';
import { GENUINE_ACTIVITY_RULE, MAX_DAYS, PRE_PERIOD_DAYS } from '../metrics/metric.rules';

/**
 * What results read instead of joining exposures to daily summaries, kept per exposure:
 * - `exposures.active_days`: which days relative to the exposure's UTC day (day 0) the user was
 *   active on, from day -14 to day 365, one bit each (bit 0 is day -14). Retention over any event
 *   and its pre-period are read from it.
 * - `exposure_metric_values`: for every other metric, the user's sums relative to day 0: y over the
 *   window (or retention day), x over the 14 days before (CUPED's covariate), d a ratio's denominator.
 *   Counts stay counts (a conversion's y is "how many such events"); the aggregation turns them into
 *   0/1 and applies caps. Only exposures with something to count have rows.
 *   Activity-quality metrics (GENUINE_ACTIVITY, HOLLOW_ACTIVITY) are the exception: their y is the
 *   rule's 0/1 verdict over the window (x the same over the 14 days before), which no sum of deltas
 *   gives (a threshold; posts within some 7 days). So every writer recomputes it whole from the
 *   daily summaries, for the exposures it touches, and overwrites it (see `setActivityQualitySql`).
 *
 * Ingestion only appends each batch's new daily counts to metric_value_log, in the statement that
 * keeps the daily summaries, and takes no lock. Folding applies the log to every exposure of its
 * users and empties it: every few seconds, and before results are read, so that results include
 * every event tracked. A user's many events between two folds touch their rows once.
 *
 * An exposure logged, or a metric created or changed, gets its values from the daily summaries minus
 * what the log still holds (which the next fold adds); the active days are idempotent bits. Those
 * writers and folding hold the lock below, so that a fold never misses an exposure written beside it.
 */
const METRIC_VALUES_LOCK = 7_561_312_405;

export async function lockMetricValues(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [METRIC_VALUES_LOCK]);
}

/** Bits of `active_days`: day -14 to day 365. */
export const ACTIVE_DAY_BITS = PRE_PERIOD_DAYS + MAX_DAYS + 1;

/** The `active_days` bit of a day relative to day 0. */
export const activeDayBit = (day: number) => day + PRE_PERIOD_DAYS;

/** An `active_days` value with no day set. */
const NO_ACTIVE_DAYS = `repeat('0', ${ACTIVE_DAY_BITS})::bit(${ACTIVE_DAY_BITS})`;

/** Retention over any event is read from `active_days`; every other metric has exposure_metric_values rows. */
const HAS_ROWS = "NOT (m.kind = 'RETENTION' AND cardinality(m.event_types) = 0)";

/** Kinds whose values are recomputed whole rather than summed (setActivityQualitySql). */
const ACTIVITY_QUALITY_KINDS = "('GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY')";
const sqlList = (items: readonly string[]) => items.map((item) => `'${item}'`).join(', ');

/** The daily summaries less what the log still holds: what folding has applied so far. Values computed from these get the rest at the next fold. */
const FOLDED_SUMMARIES = `(
    SELECT user_id, day, event_type, event_count::float8 AS event_count, value_sum FROM user_event_days
    UNION ALL
    SELECT user_id, day, event_type, -event_count, -value_sum FROM metric_value_log
  )`;

/** Day 0 of an exposure: the UTC day of its timestamp column. Every day relative to exposure counts from it. */
export const exposureDayOf = (exposedAt: string) => `(${exposedAt} AT TIME ZONE 'UTC')::date`;

/** Exposures with their UTC day 0, as the statements below read them. */
const EXPOSURES_WITH_DAY = `(
    SELECT experiment_key, phase, user_id, variant_key, tier, ${exposureDayOf('exposed_at')} AS exposure_day FROM exposures
  )`;

/**
 * `INSERT ... SELECT` adding to exposure_metric_values what `sources` (user_id, day, event_type,
 * event_count, value_sum) contribute to each exposure of `exposures` (experiment_key, phase,
 * user_id, variant_key, tier, exposure_day) for each metric of `metrics` (rows of the metrics
 * table). The three are SQL relations. Rows are written in key order, so that writers touching the
 * same rows wait for each other instead of deadlocking.
 */
function addMetricValuesSql(exposures: string, sources: string, metrics: string): string {
  const day = 's.day - x.exposure_day';
  const matchY = '(cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types))';
  const inWindow = `CASE WHEN m.kind = 'RETENTION' THEN ${day} = m.retention_day ELSE ${day} BETWEEN 0 AND m.window_days - 1 END`;
  const inPre = `(m.kind <> 'RATIO' AND ${day} BETWEEN -${PRE_PERIOD_DAYS} AND -1)`;
  const amountY = `CASE WHEN m.kind = 'MEAN' OR m.numerator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END`;
  const matchD = `(m.kind = 'RATIO' AND (cardinality(m.denominator_event_types) = 0 OR s.event_type = ANY(m.denominator_event_types)))`;
  const amountD = `CASE WHEN m.denominator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END`;
  return `INSERT INTO exposure_metric_values AS v (experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, y, x, d)
    SELECT x.experiment_key, x.phase, m.key, x.user_id, x.variant_key, x.tier, x.exposure_day,
      sum(CASE WHEN ${matchY} AND (${inWindow}) THEN ${amountY} ELSE 0 END),
      sum(CASE WHEN ${matchY} AND ${inPre} THEN ${amountY} ELSE 0 END),
      sum(CASE WHEN ${matchD} AND (${inWindow}) THEN ${amountD} ELSE 0 END)
    FROM ${exposures} x
    JOIN ${sources} s ON s.user_id = x.user_id AND s.day BETWEEN x.exposure_day - ${PRE_PERIOD_DAYS} AND x.exposure_day + ${MAX_DAYS}
    JOIN ${metrics} m ON ${HAS_ROWS} AND m.kind NOT IN ${ACTIVITY_QUALITY_KINDS} AND ((${matchY} AND ((${inWindow}) OR ${inPre})) OR (${matchD} AND (${inWindow})))
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, metric_key, user_id)
    DO UPDATE SET y = v.y + excluded.y, x = v.x + excluded.x, d = v.d + excluded.d`;
}

/**
 * `INSERT ... SELECT` writing, for each exposure of `exposures` and each activity-quality metric of
 * `metrics`, the activity rule's verdict (metric.rules.ts, GENUINE_ACTIVITY_RULE) from the daily
 * summaries as they stand: y over the window (days 0 to window - 1), x over the 14 days before.
 * Absolute, so an exposure's value is overwritten: a writer that sees only part of a user's events
 * is followed by a fold of the rest, which recomputes that user's exposures again. Per day the
 * summaries give payments, posts and reactions; "posts within some 7 consecutive days" is the most
 * over the 7-day ranges starting at each of the period's days (clipped to the period). HOLLOW is
 * "some event on a day of the period, and not genuine": a row exists only when such a day does.
 */
function setActivityQualitySql(exposures: string, metrics: string): string {
  const rule = GENUINE_ACTIVITY_RULE;
  const day = 's.day - x.exposure_day';
  return `INSERT INTO exposure_metric_values AS v (experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, y, x, d)
    SELECT experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day,
      coalesce(max(verdict) FILTER (WHERE in_window), 0), coalesce(max(verdict) FILTER (WHERE NOT in_window), 0), 0
    FROM (
      SELECT experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, in_window,
        ((sum(paid) > ${rule.paidAbove} OR max(posts_in_range) >= ${rule.posts} OR sum(reactions) >= ${rule.reactions}) = (kind = 'GENUINE_ACTIVITY'))::int::float8 AS verdict
      FROM (
        SELECT per_day.*, sum(posts) OVER (
            PARTITION BY experiment_key, phase, metric_key, user_id, in_window ORDER BY day RANGE BETWEEN CURRENT ROW AND ${rule.postDays - 1} FOLLOWING
          ) AS posts_in_range
        FROM (
          SELECT x.experiment_key, x.phase, m.key AS metric_key, m.kind, x.user_id, x.variant_key, x.tier, x.exposure_day, ${day} AS day, ${day} >= 0 AS in_window,
            coalesce(sum(s.value_sum) FILTER (WHERE s.event_type = '${rule.paymentEvent}'), 0) AS paid,
            coalesce(sum(s.event_count) FILTER (WHERE s.event_type = '${rule.postEvent}'), 0) AS posts,
            coalesce(sum(s.event_count) FILTER (WHERE s.event_type IN (${sqlList(rule.reactionEvents)})), 0) AS reactions
          FROM ${exposures} x
          JOIN user_event_days s ON s.user_id = x.user_id AND s.day BETWEEN x.exposure_day - ${PRE_PERIOD_DAYS} AND x.exposure_day + ${MAX_DAYS}
          JOIN ${metrics} m ON m.kind IN ${ACTIVITY_QUALITY_KINDS} AND ${day} BETWEEN -${PRE_PERIOD_DAYS} AND m.window_days - 1
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        ) per_day
      ) per_range
      GROUP BY experiment_key, phase, metric_key, kind, user_id, variant_key, tier, exposure_day, in_window
    ) per_period
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, metric_key, user_id)
    DO UPDATE SET y = excluded.y, x = excluded.x`;
}

/**
 * `UPDATE` setting in `active_days` of each exposure of `exposures` (a relation as above) the bits
 * of the days of `days` (user_id, day): only where a bit is new, so that a day seen again writes nothing.
 */
function setActiveDaysSql(exposures: string, days: string): string {
  return `UPDATE exposures AS e SET active_days = e.active_days | n.bits
    FROM (
      SELECT x.experiment_key, x.phase, x.user_id, bit_or(set_bit(${NO_ACTIVE_DAYS}, a.day - x.exposure_day + ${PRE_PERIOD_DAYS}, 1)) AS bits
      FROM ${exposures} x
      JOIN ${days} a ON a.user_id = x.user_id AND a.day BETWEEN x.exposure_day - ${PRE_PERIOD_DAYS} AND x.exposure_day + ${MAX_DAYS}
      GROUP BY 1, 2, 3
    ) n
    WHERE e.experiment_key = n.experiment_key AND e.phase = n.phase AND e.user_id = n.user_id AND e.active_days | n.bits <> e.active_days`;
}

/** What ingestion appends to metric_value_log: a CTE body over its `deltas` (user_id, day, event_type, event_count, value_sum). */
export const LOG_DELTAS = 'INSERT INTO metric_value_log (user_id, day, event_type, event_count, value_sum) SELECT * FROM deltas';

/**
 * `INSERT ... SELECT` keeping the rows of `seen` (experiment_key, phase, user_id, variant_key,
 * exposed_at) in other_variant_exposures: users seen in a variant other than their exposure's.
 * A sighting seen again keeps its latest time; rows are written in key order, as above.
 */
export function recordOtherVariantsSql(seen: string): string {
  return `INSERT INTO other_variant_exposures AS o (experiment_key, phase, user_id, variant_key, last_exposed_at)
    SELECT experiment_key, phase, user_id, variant_key, max(exposed_at) FROM ${seen} s
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, user_id, variant_key) DO UPDATE SET last_exposed_at = greatest(o.last_exposed_at, excluded.last_exposed_at)`;
}

/**
 * New exposures (the first of each experiment, phase and user is kept) with their active days and
 * metric values from what is already known. A row naming another variant than the one kept (already
 * stored, or earlier in the batch) is not lost: it goes to other_variant_exposures. Parameters:
 * arrays of experiment keys, phases, user ids, variant keys, tiers and exposure times.
 */
export const INSERT_EXPOSURES = `WITH input AS (
    SELECT *, ${exposureDayOf('exposed_at')} AS day0
    FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u(experiment_key, phase, user_id, variant_key, tier, exposed_at)
  ), inserted AS (
    INSERT INTO exposures (experiment_key, phase, user_id, variant_key, tier, exposed_at, active_days)
    SELECT u.experiment_key, u.phase, u.user_id, u.variant_key, u.tier, u.exposed_at, (
      SELECT coalesce(bit_or(set_bit(${NO_ACTIVE_DAYS}, d.day - u.day0 + ${PRE_PERIOD_DAYS}, 1)), ${NO_ACTIVE_DAYS})
      FROM user_event_days d WHERE d.user_id = u.user_id AND d.day BETWEEN u.day0 - ${PRE_PERIOD_DAYS} AND u.day0 + ${MAX_DAYS}
    )
    FROM input u
    ON CONFLICT DO NOTHING
    RETURNING experiment_key, phase, user_id, variant_key, tier, ${exposureDayOf('exposed_at')} AS exposure_day
  ), other_variants AS (
    ${recordOtherVariantsSql(`(
      SELECT u.experiment_key, u.phase, u.user_id, u.variant_key, u.exposed_at FROM input u
      LEFT JOIN exposures e ON e.experiment_key = u.experiment_key AND e.phase = u.phase AND e.user_id = u.user_id
      LEFT JOIN inserted i ON i.experiment_key = u.experiment_key AND i.phase = u.phase AND i.user_id = u.user_id
      WHERE u.variant_key <> coalesce(e.variant_key, i.variant_key)
    )`)}
  ), quality AS (
    ${setActivityQualitySql('inserted', 'metrics')}
  )
  ${addMetricValuesSql('inserted', FOLDED_SUMMARIES, 'metrics')}`;

/** Applies the log to every exposure of its users, and empties it (only the rows this statement sees). */
const FOLD = `WITH pending AS (
    DELETE FROM metric_value_log RETURNING *
  ), deltas AS (
    SELECT user_id, day, event_type, sum(event_count)::float8 AS event_count, sum(value_sum) AS value_sum FROM pending GROUP BY 1, 2, 3
  ), exposed AS (
    SELECT * FROM ${EXPOSURES_WITH_DAY} e WHERE e.user_id IN (SELECT user_id FROM deltas)
  ), active AS (
    ${setActiveDaysSql('exposed', '(SELECT DISTINCT user_id, day FROM deltas)')}
  ), quality AS (
    ${setActivityQualitySql('exposed', 'metrics')}
  )
  ${addMetricValuesSql('exposed', 'deltas', 'metrics')}`;

/** Folds the log in; with `wait` false, returns false at once when another fold or writer holds the lock. */
export async function foldMetricValues(entityManager: EntityManager, wait = true): Promise<boolean> {
  return entityManager.transaction(async (manager) => {
    if (wait) await lockMetricValues(manager);
    else {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [METRIC_VALUES_LOCK]);
      if (!locked) return false;
    }
    await manager.query(FOLD);
    return true;
  });
}

/** Recomputes one metric's rows (every metric's when `metricKey` is null), for every exposure. */
export async function rebuildMetricValues(manager: EntityManager, metricKey: string | null): Promise<void> {
  await lockMetricValues(manager);
  if (metricKey === null) {
    await manager.query('DELETE FROM exposure_metric_values');
    await manager.query(addMetricValuesSql(EXPOSURES_WITH_DAY, FOLDED_SUMMARIES, 'metrics'));
    await manager.query(setActivityQualitySql(EXPOSURES_WITH_DAY, 'metrics'));
  } else {
    await manager.query('DELETE FROM exposure_metric_values WHERE metric_key = $1', [metricKey]);
    await manager.query(addMetricValuesSql(EXPOSURES_WITH_DAY, FOLDED_SUMMARIES, '(SELECT * FROM metrics WHERE key = $1)'), [metricKey]);
    await manager.query(setActivityQualitySql(EXPOSURES_WITH_DAY, '(SELECT * FROM metrics WHERE key = $1)'), [metricKey]);
  }
}

/** Recomputes every exposure's active days from the daily summaries (which the log is already in). */
export async function rebuildActiveDays(manager: EntityManager): Promise<void> {
  await lockMetricValues(manager);
  await manager.query(`UPDATE exposures SET active_days = ${NO_ACTIVE_DAYS} WHERE active_days <> ${NO_ACTIVE_DAYS}`);
  await manager.query(setActiveDaysSql(EXPOSURES_WITH_DAY, '(SELECT DISTINCT user_id, day FROM user_event_days)'));
}

/** How often each instance folds the log in: results fold first anyway, so this only keeps the log short. */
const FOLD_EVERY_MS = 5_000;

/** Folds the log in every few seconds, skipping a turn when another instance or writer holds the lock. */
export class MetricValueFolder {
  private timer?: NodeJS.Timeout;
  private folding: Promise<unknown> = Promise.resolve();
  /** When a fold last completed, or found the lock taken by another fold or writer (ms since the epoch): fold lag for /metrics. */
  lastFoldAt = Date.now();

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.folding = foldMetricValues(this.dataSource.manager, false).then(
        () => (this.lastFoldAt = Date.now()),
        (error) => this.logger.warn({ err: error }, 'could not fold metric values; will retry'),
      );
    }, FOLD_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.folding;
  }
}
