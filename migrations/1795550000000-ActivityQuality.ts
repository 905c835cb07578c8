import { MigrationInterface, QueryRunner } from "typeorm";

const KEYS = ['genuine_activity_rate', 'hollow_activity_rate', 'nps', 'support_response_seconds'];

/**
 * Activity quality and the teams' other alerts (issue 12, item 9): the GENUINE_ACTIVITY and
 * HOLLOW_ACTIVITY kinds, a guardrail threshold against control (alert_drop_below_control), and four
 * built-in metrics: genuine and hollow activity over the 30 days after exposure, NPS (nps_response
 * values: 100 for a promoter, 0 for a passive, -100 for a detractor, so their mean per response is
 * the NPS; alert on a 5-point drop against control) and support response time (mean seconds per
 * support_response; alert above 90). Their values for exposures already there are filled from the
 * summaries with the statements of the time (a migration keeps its own copy).
 */
export class ActivityQuality1795550000000 implements MigrationInterface {
    name = 'ActivityQuality1795550000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "metrics" DROP CONSTRAINT "metrics_kind_check"`);
        await queryRunner.query(`ALTER TABLE "metrics" ADD CONSTRAINT "metrics_kind_check" CHECK ("kind" IN ('CONVERSION', 'RETENTION', 'MEAN', 'COUNT', 'RATIO', 'GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY'))`);
        await queryRunner.query(`ALTER TABLE "metrics" ADD "alert_drop_below_control" double precision`);
        await queryRunner.query(`INSERT INTO "metrics" ("key", "name", "description", "kind", "event_types", "window_days", "numerator_source", "denominator_event_types", "denominator_source", "higher_is_better", "alert_above", "alert_drop_below_control") VALUES
            ('genuine_activity_rate', 'Genuine activity (30 days)', 'Share of exposed users who, on days 0 to 29, paid more than 100 (payment values), or made 3 or more posts within some 7 consecutive days, or left 10 or more comments and likes together.', 'GENUINE_ACTIVITY', '{}', 30, NULL, NULL, NULL, true, NULL, NULL),
            ('hollow_activity_rate', 'Hollow activity (30 days)', 'Share of exposed users active (any event) on some day 0 to 29 but meeting none of the genuine-activity conditions.', 'HOLLOW_ACTIVITY', '{}', 30, NULL, NULL, NULL, false, NULL, NULL),
            ('nps', 'NPS (30 days)', 'Net promoter score of the survey responses on days 0 to 29: the mean nps_response value, each 100 (promoter, 9-10), 0 (passive, 7-8) or -100 (detractor, 0-6); a guardrail alerting on a 5-point drop against control.', 'RATIO', '{nps_response}', 30, 'VALUE_SUM', '{nps_response}', 'EVENT_COUNT', true, NULL, 5),
            ('support_response_seconds', 'Support response time (30 days)', 'Mean support_response value (seconds to a first answer) per support request on days 0 to 29; a guardrail alerting above 90 seconds.', 'RATIO', '{support_response}', 30, 'VALUE_SUM', '{support_response}', 'EVENT_COUNT', false, 90, NULL)`);
        await queryRunner.query(`INSERT INTO exposure_metric_values AS v (experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, y, x, d)
    SELECT x.experiment_key, x.phase, m.key, x.user_id, x.variant_key, x.tier, x.exposure_day,
      sum(CASE WHEN (cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) THEN CASE WHEN m.kind = 'MEAN' OR m.numerator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END),
      sum(CASE WHEN (cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND (m.kind <> 'RATIO' AND s.day - x.exposure_day BETWEEN -14 AND -1) THEN CASE WHEN m.kind = 'MEAN' OR m.numerator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END),
      sum(CASE WHEN (m.kind = 'RATIO' AND (cardinality(m.denominator_event_types) = 0 OR s.event_type = ANY(m.denominator_event_types))) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) THEN CASE WHEN m.denominator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END)
    FROM (
    SELECT experiment_key, phase, user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS exposure_day FROM exposures
  ) x
    JOIN (
    SELECT user_id, day, event_type, event_count::float8 AS event_count, value_sum FROM user_event_days
    UNION ALL
    SELECT user_id, day, event_type, -event_count, -value_sum FROM metric_value_log
  ) s ON s.user_id = x.user_id AND s.day BETWEEN x.exposure_day - 14 AND x.exposure_day + 365
    JOIN (SELECT * FROM metrics WHERE key = ANY($1)) m ON NOT (m.kind = 'RETENTION' AND cardinality(m.event_types) = 0) AND m.kind NOT IN ('GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY') AND (((cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND ((CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) OR (m.kind <> 'RATIO' AND s.day - x.exposure_day BETWEEN -14 AND -1))) OR ((m.kind = 'RATIO' AND (cardinality(m.denominator_event_types) = 0 OR s.event_type = ANY(m.denominator_event_types))) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END)))
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, metric_key, user_id)
    DO UPDATE SET y = v.y + excluded.y, x = v.x + excluded.x, d = v.d + excluded.d`, [KEYS]);
        await queryRunner.query(`INSERT INTO exposure_metric_values AS v (experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, y, x, d)
    SELECT experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day,
      coalesce(max(verdict) FILTER (WHERE in_window), 0), coalesce(max(verdict) FILTER (WHERE NOT in_window), 0), 0
    FROM (
      SELECT experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, in_window,
        ((sum(paid) > 100 OR max(posts_in_range) >= 3 OR sum(reactions) >= 10) = (kind = 'GENUINE_ACTIVITY'))::int::float8 AS verdict
      FROM (
        SELECT per_day.*, sum(posts) OVER (
            PARTITION BY experiment_key, phase, metric_key, user_id, in_window ORDER BY day RANGE BETWEEN CURRENT ROW AND 6 FOLLOWING
          ) AS posts_in_range
        FROM (
          SELECT x.experiment_key, x.phase, m.key AS metric_key, m.kind, x.user_id, x.variant_key, x.tier, x.exposure_day, s.day - x.exposure_day AS day, s.day - x.exposure_day >= 0 AS in_window,
            coalesce(sum(s.value_sum) FILTER (WHERE s.event_type = 'payment'), 0) AS paid,
            coalesce(sum(s.event_count) FILTER (WHERE s.event_type = 'post'), 0) AS posts,
            coalesce(sum(s.event_count) FILTER (WHERE s.event_type IN ('comment', 'like')), 0) AS reactions
          FROM (
    SELECT experiment_key, phase, user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS exposure_day FROM exposures
  ) x
          JOIN user_event_days s ON s.user_id = x.user_id AND s.day BETWEEN x.exposure_day - 14 AND x.exposure_day + 365
          JOIN (SELECT * FROM metrics WHERE key = ANY($1)) m ON m.kind IN ('GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY') AND s.day - x.exposure_day BETWEEN -14 AND m.window_days - 1
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        ) per_day
      ) per_range
      GROUP BY experiment_key, phase, metric_key, kind, user_id, variant_key, tier, exposure_day, in_window
    ) per_period
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, metric_key, user_id)
    DO UPDATE SET y = excluded.y, x = excluded.x`, [KEYS]);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DELETE FROM "exposure_metric_values" WHERE "metric_key" = ANY($1)`, [KEYS]);
        await queryRunner.query(`DELETE FROM "metrics" WHERE "kind" IN ('GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY') OR "key" = ANY($1)`, [KEYS]);
        await queryRunner.query(`ALTER TABLE "metrics" DROP COLUMN "alert_drop_below_control"`);
        await queryRunner.query(`ALTER TABLE "metrics" DROP CONSTRAINT "metrics_kind_check"`);
        await queryRunner.query(`ALTER TABLE "metrics" ADD CONSTRAINT "metrics_kind_check" CHECK ("kind" IN ('CONVERSION', 'RETENTION', 'MEAN', 'COUNT', 'RATIO'))`);
    }

}
