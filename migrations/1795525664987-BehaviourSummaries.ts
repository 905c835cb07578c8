import { MigrationInterface, QueryRunner } from "typeorm";

export class BehaviourSummaries1795525664987 implements MigrationInterface {
    name = 'BehaviourSummaries1795525664987'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user_event_days" ("user_id" text NOT NULL, "day" date NOT NULL, "event_type" text NOT NULL, "event_count" integer NOT NULL, "value_sum" double precision NOT NULL, CONSTRAINT "PK_9efaeabb8c8fa399cbd7f7111be" PRIMARY KEY ("user_id", "day", "event_type"))`);
        await queryRunner.query(`CREATE TABLE "user_activity" ("user_id" text NOT NULL, "first_active_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "last_active_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_11108754ec780c670440e32baad" PRIMARY KEY ("user_id"))`);
        // Summaries of the events already stored; from now on ingestion keeps them current.
        await queryRunner.query(`INSERT INTO "user_event_days" ("user_id", "day", "event_type", "event_count", "value_sum")
            SELECT "user_id", ("occurred_at" AT TIME ZONE 'UTC')::date, "type", count(*), coalesce(sum("value"), 0) FROM "events" GROUP BY 1, 2, 3`);
        await queryRunner.query(`INSERT INTO "user_activity" ("user_id", "first_active_at", "last_active_at")
            SELECT "user_id", min("occurred_at"), max("occurred_at") FROM "events" GROUP BY 1`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user_activity"`);
        await queryRunner.query(`DROP TABLE "user_event_days"`);
    }

}
