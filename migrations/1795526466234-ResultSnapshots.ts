import { MigrationInterface, QueryRunner } from "typeorm";

export class ResultSnapshots1795526466234 implements MigrationInterface {
    name = 'ResultSnapshots1795526466234'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "experiment_result_snapshots" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "experiment_key" text NOT NULL, "phase" integer NOT NULL, "computed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "results" jsonb NOT NULL, CONSTRAINT "PK_4700aef0c9b7a63d9c1e584ae9a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "experiment_result_snapshots_experiment_idx" ON "experiment_result_snapshots"  ("experiment_key", "id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."experiment_result_snapshots_experiment_idx"`);
        await queryRunner.query(`DROP TABLE "experiment_result_snapshots"`);
    }

}
