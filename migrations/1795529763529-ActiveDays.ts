import { MigrationInterface, QueryRunner } from "typeorm";

/** user_active_days: one row per user and UTC day with any event, for retention (src/metrics/metric.store.ts). */
export class ActiveDays1795529763529 implements MigrationInterface {
    name = 'ActiveDays1795529763529'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user_active_days" ("user_id" text NOT NULL, "day" date NOT NULL, CONSTRAINT "PK_c5064f6049c87d8fedc748e4984" PRIMARY KEY ("user_id", "day"))`);
        // The active days of the events already summarised; from now on ingestion keeps them current.
        await queryRunner.query(`INSERT INTO "user_active_days" ("user_id", "day") SELECT DISTINCT "user_id", "day" FROM "user_event_days"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user_active_days"`);
    }

}
