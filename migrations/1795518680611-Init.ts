import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795518680611 implements MigrationInterface {
    name = 'Init1795518680611'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "role" text NOT NULL, "key_hash" text NOT NULL, "key_prefix" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "created_by" text, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "api_keys_role_check" CHECK ("role" IN ('ADMIN', 'ANALYST', 'SDK')), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"  ("key_hash") `);
        await queryRunner.query(`CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "entity_type" text NOT NULL, "entity_key" text NOT NULL, "action" text NOT NULL, "actor" text NOT NULL, "actor_key_id" uuid, "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "before" jsonb, "after" jsonb, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "audit_log_entity_idx" ON "audit_log"  ("entity_type", "entity_key", "id") `);
        await queryRunner.query(`CREATE TABLE "experiment_variants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "experiment_id" uuid NOT NULL, "position" integer NOT NULL, "key" text NOT NULL, "name" text NOT NULL, "weight" double precision NOT NULL, "is_control" boolean NOT NULL, "payload" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "experiment_variants_experiment_key_key" UNIQUE ("experiment_id", "key"), CONSTRAINT "experiment_variants_weight_check" CHECK ("weight" >= 0 AND "weight" <= 100), CONSTRAINT "PK_1ab87aafc77c9f29445722fcdd8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "experiment_status_changes" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "experiment_id" uuid NOT NULL, "from_status" text, "to_status" text NOT NULL, "actor" text NOT NULL, "reason" text, "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e1de9f72288b2e3b18ed3f8a030" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "experiment_status_changes_experiment_idx" ON "experiment_status_changes"  ("experiment_id", "id") `);
        await queryRunner.query(`CREATE TABLE "experiments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "hypothesis" text, "strategy" text, "owner" text, "tags" text array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'DRAFT', "traffic_allocation" double precision NOT NULL DEFAULT '100', "targeting" jsonb NOT NULL, "primary_metric_key" text, "secondary_metric_keys" text array NOT NULL DEFAULT '{}', "guardrail_metric_keys" text array NOT NULL DEFAULT '{}', "version" integer NOT NULL DEFAULT '1', "shipped_variant_key" text, "stop_reason" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP(3) WITH TIME ZONE, "stopped_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "experiments_traffic_allocation_check" CHECK ("traffic_allocation" >= 0 AND "traffic_allocation" <= 100), CONSTRAINT "experiments_status_check" CHECK ("status" IN ('DRAFT', 'RUNNING', 'PAUSED', 'STOPPED', 'ARCHIVED')), CONSTRAINT "PK_aafe1321d916fac58ba06ad8178" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "experiments_key_key" ON "experiments"  ("key") `);
        await queryRunner.query(`CREATE INDEX "experiments_created_idx" ON "experiments"  ("created_at", "id") `);
        await queryRunner.query(`ALTER TABLE "experiment_variants" ADD CONSTRAINT "FK_162ac846e42f3f826f53fd6dbad" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "experiment_status_changes" ADD CONSTRAINT "FK_1e3228e8473f008dd8af6c3ac2d" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiment_status_changes" DROP CONSTRAINT "FK_1e3228e8473f008dd8af6c3ac2d"`);
        await queryRunner.query(`ALTER TABLE "experiment_variants" DROP CONSTRAINT "FK_162ac846e42f3f826f53fd6dbad"`);
        await queryRunner.query(`DROP INDEX "public"."experiments_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."experiments_key_key"`);
        await queryRunner.query(`DROP TABLE "experiments"`);
        await queryRunner.query(`DROP INDEX "public"."experiment_status_changes_experiment_idx"`);
        await queryRunner.query(`DROP TABLE "experiment_status_changes"`);
        await queryRunner.query(`DROP TABLE "experiment_variants"`);
        await queryRunner.query(`DROP INDEX "public"."audit_log_entity_idx"`);
        await queryRunner.query(`DROP TABLE "audit_log"`);
        await queryRunner.query(`DROP INDEX "public"."api_keys_key_hash_key"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
    }

}
