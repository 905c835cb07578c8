import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * user_active_days: one row per user and UTC day with any event, for retention; and user_event_days
 * indexed by event type, for the other metrics (src/metrics/metric.store.ts). Hand-written index: TypeORM cannot declare INCLUDE.
 */
export class ActiveDays1795529763529 implements MigrationInterface {
    name = 'ActiveDays1795529763529'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user_active_days" ("user_id" text NOT NULL, "day" date NOT NULL, CONSTRAINT "PK_c5064f6049c87d8fedc748e4984" PRIMARY KEY ("user_id", "day"))`);
        // The active days of the events already summarised; from now on ingestion keeps them current.
        await queryRunner.query(`INSERT INTO "user_active_days" ("user_id", "day") SELECT DISTINCT "user_id", "day" FROM "user_event_days"`);
        // Metrics over event types read only those types' rows: the user-led analysis index gives way to a type-led one.
        await queryRunner.query(`DROP INDEX "public"."user_event_days_analysis_idx"`);
        await queryRunner.query(`CREATE INDEX "user_event_days_type_idx" ON "user_event_days" ("event_type", "user_id", "day") INCLUDE ("event_count", "value_sum")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."user_event_days_type_idx"`);
        await queryRunner.query(`CREATE INDEX "user_event_days_analysis_idx" ON "user_event_days" ("user_id", "day") INCLUDE ("event_type", "event_count", "value_sum")`);
        await queryRunner.query(`DROP TABLE "user_active_days"`);
    }

}
