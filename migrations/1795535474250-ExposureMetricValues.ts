import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What results read instead of joining exposures to daily summaries (src/metrics/metric-values.ts):
 * each exposure's active days as bits relative to its day 0, and exposure_metric_values, each
 * exposure's sums for every other metric; metric_value_log, what ingestion appends for folding
 * (a plain heap, read whole and emptied by each fold, so it has no key and no entity). Both are
 * filled here from the summaries already there, with the statements of the time (a migration keeps
 * its own copy). user_active_days, which only retention read, goes: the active days are bits now;
 * so do the indexes the joins of exposures to summaries read.
 */
export class ExposureMetricValues1795535474250 implements MigrationInterface {
    name = 'ExposureMetricValues1795535474250'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "exposure_metric_values" ("experiment_key" text NOT NULL, "phase" integer NOT NULL, "metric_key" text NOT NULL, "user_id" text NOT NULL, "variant_key" text NOT NULL, "tier" text, "exposure_day" date NOT NULL, "y" double precision NOT NULL, "x" double precision NOT NULL, "d" double precision NOT NULL, CONSTRAINT "PK_e35824887ae45a9ddc942c8d7ba" PRIMARY KEY ("experiment_key", "phase", "metric_key", "user_id"))`);
        await queryRunner.query(`ALTER TABLE "exposures" ADD "active_days" bit(380) NOT NULL DEFAULT '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'`);
        await queryRunner.query(`CREATE INDEX "exposures_user_idx" ON "exposures"  ("user_id") `);
        await queryRunner.query(`CREATE TABLE "metric_value_log" ("user_id" text NOT NULL, "day" date NOT NULL, "event_type" text NOT NULL, "event_count" integer NOT NULL, "value_sum" double precision NOT NULL)`);
        await queryRunner.query(`UPDATE exposures AS e SET active_days = e.active_days | n.bits
    FROM (
      SELECT x.experiment_key, x.phase, x.user_id, bit_or(set_bit(repeat('0', 380)::bit(380), a.day - x.exposure_day + 14, 1)) AS bits
      FROM (
    SELECT experiment_key, phase, user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS exposure_day FROM exposures
  ) x
      JOIN (SELECT DISTINCT user_id, day FROM user_event_days) a ON a.user_id = x.user_id AND a.day BETWEEN x.exposure_day - 14 AND x.exposure_day + 365
      GROUP BY 1, 2, 3
    ) n
    WHERE e.experiment_key = n.experiment_key AND e.phase = n.phase AND e.user_id = n.user_id AND e.active_days | n.bits <> e.active_days`);
        await queryRunner.query(`INSERT INTO exposure_metric_values AS v (experiment_key, phase, metric_key, user_id, variant_key, tier, exposure_day, y, x, d)
    SELECT x.experiment_key, x.phase, m.key, x.user_id, x.variant_key, x.tier, x.exposure_day,
      sum(CASE WHEN (cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) THEN CASE WHEN m.kind = 'MEAN' OR m.numerator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END),
      sum(CASE WHEN (cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND (m.kind <> 'RATIO' AND s.day - x.exposure_day BETWEEN -14 AND -1) THEN CASE WHEN m.kind = 'MEAN' OR m.numerator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END),
      sum(CASE WHEN (m.kind = 'RATIO' AND (cardinality(m.denominator_event_types) = 0 OR s.event_type = ANY(m.denominator_event_types))) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) THEN CASE WHEN m.denominator_source = 'VALUE_SUM' THEN s.value_sum ELSE s.event_count END ELSE 0 END)
    FROM (
    SELECT experiment_key, phase, user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS exposure_day FROM exposures
  ) x
    JOIN (SELECT user_id, day, event_type, event_count::float8 AS event_count, value_sum FROM user_event_days) s ON s.user_id = x.user_id AND s.day BETWEEN x.exposure_day - 14 AND x.exposure_day + 365
    JOIN metrics m ON NOT (m.kind = 'RETENTION' AND cardinality(m.event_types) = 0) AND (((cardinality(m.event_types) = 0 OR s.event_type = ANY(m.event_types)) AND ((CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END) OR (m.kind <> 'RATIO' AND s.day - x.exposure_day BETWEEN -14 AND -1))) OR ((m.kind = 'RATIO' AND (cardinality(m.denominator_event_types) = 0 OR s.event_type = ANY(m.denominator_event_types))) AND (CASE WHEN m.kind = 'RETENTION' THEN s.day - x.exposure_day = m.retention_day ELSE s.day - x.exposure_day BETWEEN 0 AND m.window_days - 1 END)))
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (experiment_key, phase, metric_key, user_id)
    DO UPDATE SET y = v.y + excluded.y, x = v.x + excluded.x, d = v.d + excluded.d`);
        await queryRunner.query(`DROP TABLE "user_active_days"`);
        // What the joins of exposures to summaries read; results no longer join them, and ingestion keeps one index less.
        await queryRunner.query(`DROP INDEX "public"."exposures_analysis_idx"`);
        await queryRunner.query(`DROP INDEX "public"."user_event_days_type_idx"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "user_event_days_type_idx" ON "user_event_days" ("event_type", "user_id", "day") INCLUDE ("event_count", "value_sum")`);
        await queryRunner.query(`CREATE INDEX "exposures_analysis_idx" ON "exposures" ("experiment_key", "phase", "user_id") INCLUDE ("variant_key", "tier", "exposed_at")`);
        await queryRunner.query(`CREATE TABLE "user_active_days" ("user_id" text NOT NULL, "day" date NOT NULL, CONSTRAINT "PK_c5064f6049c87d8fedc748e4984" PRIMARY KEY ("user_id", "day"))`);
        await queryRunner.query(`INSERT INTO "user_active_days" ("user_id", "day") SELECT DISTINCT "user_id", "day" FROM "user_event_days"`);
        await queryRunner.query(`DROP TABLE "metric_value_log"`);
        await queryRunner.query(`DROP INDEX "public"."exposures_user_idx"`);
        await queryRunner.query(`ALTER TABLE "exposures" DROP COLUMN "active_days"`);
        await queryRunner.query(`DROP TABLE "exposure_metric_values"`);
    }

}
