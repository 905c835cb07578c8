import { MigrationInterface, QueryRunner } from "typeorm";

/** Covering indexes for the metric aggregation (src/metrics/metric.store.ts); hand-written, as TypeORM cannot declare INCLUDE. */
export class AnalysisIndexes1795527000000 implements MigrationInterface {
    name = 'AnalysisIndexes1795527000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "exposures_analysis_idx" ON "exposures" ("experiment_key", "phase", "user_id") INCLUDE ("variant_key", "tier", "exposed_at")`);
        await queryRunner.query(`CREATE INDEX "user_event_days_analysis_idx" ON "user_event_days" ("user_id", "day") INCLUDE ("event_type", "event_count", "value_sum")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."user_event_days_analysis_idx"`);
        await queryRunner.query(`DROP INDEX "public"."exposures_analysis_idx"`);
    }

}
