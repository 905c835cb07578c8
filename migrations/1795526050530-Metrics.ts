import { MigrationInterface, QueryRunner } from "typeorm";

export class Metrics1795526050530 implements MigrationInterface {
    name = 'Metrics1795526050530'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "metrics" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "kind" text NOT NULL, "event_types" text array NOT NULL DEFAULT '{}', "window_days" integer, "retention_day" integer, "numerator_source" text, "denominator_event_types" text array, "denominator_source" text, "cap_value" double precision, "cap_percentile" double precision, "higher_is_better" boolean NOT NULL DEFAULT true, "alert_below" double precision, "alert_above" double precision, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "metrics_kind_check" CHECK ("kind" IN ('CONVERSION', 'RETENTION', 'MEAN', 'COUNT', 'RATIO')), CONSTRAINT "PK_5283cad666a83376e28a715bf0e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "metrics_key_key" ON "metrics"  ("key") `);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "auto_pause_on_guardrail" boolean NOT NULL DEFAULT false`);
        // The built-in metrics; the alert thresholds are the teams' (docs/concepts.md): next-day retention below 18%, complaints above 3%.
        await queryRunner.query(`INSERT INTO "metrics" ("key", "name", "description", "kind", "event_types", "window_days", "retention_day", "higher_is_better", "alert_below", "alert_above") VALUES
            ('d1_retention', 'D1 retention', 'Share of exposed users active (any event) on the UTC day after their exposure day.', 'RETENTION', '{}', NULL, 1, true, 0.18, NULL),
            ('d7_retention', 'D7 retention', 'Share of exposed users active (any event) on day 7 after their exposure day.', 'RETENTION', '{}', NULL, 7, true, NULL, NULL),
            ('d30_retention', 'D30 retention', 'Share of exposed users active (any event) on day 30 after their exposure day.', 'RETENTION', '{}', NULL, 30, true, NULL, NULL),
            ('paid_conversion_14d', 'Paid conversion (14 days)', 'Share of exposed users with a payment event on days 0 to 13.', 'CONVERSION', '{payment}', 14, NULL, true, NULL, NULL),
            ('revenue_per_user_14d', 'Revenue per user (14 days)', 'Sum of payment values per exposed user on days 0 to 13.', 'MEAN', '{payment}', 14, NULL, true, NULL, NULL),
            ('complaint_rate', 'Complaint rate (14 days)', 'Share of exposed users with a complaint event on days 0 to 13; a guardrail.', 'CONVERSION', '{complaint}', 14, NULL, false, NULL, 0.03),
            ('reward_cost', 'Reward cost per user (14 days)', 'Sum of reward_cost values per exposed user on days 0 to 13.', 'MEAN', '{reward_cost}', 14, NULL, false, NULL, NULL)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "auto_pause_on_guardrail"`);
        await queryRunner.query(`DROP INDEX "public"."metrics_key_key"`);
        await queryRunner.query(`DROP TABLE "metrics"`);
    }

}
