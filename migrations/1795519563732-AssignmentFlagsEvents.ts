import { MigrationInterface, QueryRunner } from "typeorm";

export class AssignmentFlagsEvents1795519563732 implements MigrationInterface {
    name = 'AssignmentFlagsEvents1795519563732'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "experiment_forced_assignments" ("experiment_id" uuid NOT NULL, "user_id" text NOT NULL, "variant_key" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f957ea1bab36c4e3541baaba7f9" PRIMARY KEY ("experiment_id", "user_id"))`);
        await queryRunner.query(`CREATE TABLE "layers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "seed" text NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_1c670f063528e51d6ebfb9c623e" UNIQUE ("key"), CONSTRAINT "PK_611c9a60a779f18c5e55e1f31b5" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "holdout" ("id" integer NOT NULL DEFAULT '1', "percentage" double precision NOT NULL, "seed" text NOT NULL, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "holdout_percentage_check" CHECK ("percentage" >= 0 AND "percentage" <= 50), CONSTRAINT "holdout_singleton_check" CHECK ("id" = 1), CONSTRAINT "PK_0178a958eb0f74d7e0c6b6e445c" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "flags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "type" text NOT NULL, "default_value" jsonb NOT NULL, "enabled" boolean NOT NULL DEFAULT false, "seed" text NOT NULL, "rules" jsonb NOT NULL DEFAULT '[]', "status" text NOT NULL DEFAULT 'ACTIVE', "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d4cb1536b4e8258508d0c003fb4" UNIQUE ("key"), CONSTRAINT "flags_status_check" CHECK ("status" IN ('ACTIVE', 'ARCHIVED')), CONSTRAINT "flags_type_check" CHECK ("type" IN ('BOOLEAN', 'STRING', 'NUMBER', 'JSON')), CONSTRAINT "PK_ea7e333c92a55de9e9b8d0b9afd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "flags_created_idx" ON "flags"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "events" ("id" text NOT NULL, "user_id" text NOT NULL, "type" text NOT NULL, "value" double precision, "properties" jsonb, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "events_type_time_idx" ON "events"  ("type", "occurred_at") `);
        await queryRunner.query(`CREATE INDEX "events_user_time_idx" ON "events"  ("user_id", "occurred_at") `);
        await queryRunner.query(`CREATE TABLE "exposures" ("experiment_key" text NOT NULL, "phase" integer NOT NULL, "user_id" text NOT NULL, "variant_key" text NOT NULL, "tier" text, "exposed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b054972aaa36cef544313ea4f5a" PRIMARY KEY ("experiment_key", "phase", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "exposures_experiment_variant_idx" ON "exposures"  ("experiment_key", "phase", "variant_key") `);
        // Existing experiments keep hashing as before: their seed is their key.
        await queryRunner.query(`ALTER TABLE "experiments" ADD "seed" text`);
        await queryRunner.query(`UPDATE "experiments" SET "seed" = "key"`);
        await queryRunner.query(`ALTER TABLE "experiments" ALTER COLUMN "seed" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "phase" integer NOT NULL DEFAULT '1'`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "layer_key" text`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "layer_share" double precision`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "layer_slice_start" double precision`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD "layer_slice_end" double precision`);
        await queryRunner.query(`ALTER TABLE "experiments" ADD CONSTRAINT "experiments_layer_share_check" CHECK ("layer_share" > 0 AND "layer_share" <= 100)`);
        await queryRunner.query(`ALTER TABLE "experiment_forced_assignments" ADD CONSTRAINT "FK_25552577c5adc9a7eac4edba5fa" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiment_forced_assignments" DROP CONSTRAINT "FK_25552577c5adc9a7eac4edba5fa"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP CONSTRAINT "experiments_layer_share_check"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "layer_slice_end"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "layer_slice_start"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "layer_share"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "layer_key"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "phase"`);
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "seed"`);
        await queryRunner.query(`DROP INDEX "public"."exposures_experiment_variant_idx"`);
        await queryRunner.query(`DROP TABLE "exposures"`);
        await queryRunner.query(`DROP INDEX "public"."events_user_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."events_type_time_idx"`);
        await queryRunner.query(`DROP TABLE "events"`);
        await queryRunner.query(`DROP INDEX "public"."flags_created_idx"`);
        await queryRunner.query(`DROP TABLE "flags"`);
        await queryRunner.query(`DROP TABLE "holdout"`);
        await queryRunner.query(`DROP TABLE "layers"`);
        await queryRunner.query(`DROP TABLE "experiment_forced_assignments"`);
    }

}
