import { MigrationInterface, QueryRunner } from "typeorm";

export class Entitlements1795526427182 implements MigrationInterface {
    name = 'Entitlements1795526427182'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "entitlements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "kind" text NOT NULL, "period" text, "default_value" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'ACTIVE', "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f7dcd65d13da47bd1681d649c0a" UNIQUE ("key"), CONSTRAINT "entitlements_status_check" CHECK ("status" IN ('ACTIVE', 'ARCHIVED')), CONSTRAINT "entitlements_kind_check" CHECK ("kind" IN ('FEATURE', 'QUOTA', 'COUPON', 'CONFIG')), CONSTRAINT "PK_6a45cb6f5747d49365a879bffde" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "entitlements_created_idx" ON "entitlements"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "entitlement_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "description" text, "effect" text NOT NULL, "priority" integer NOT NULL DEFAULT '0', "enabled" boolean NOT NULL DEFAULT false, "valid_from" TIMESTAMP(3) WITH TIME ZONE, "valid_until" TIMESTAMP(3) WITH TIME ZONE, "targeting" jsonb NOT NULL, "variants" jsonb NOT NULL DEFAULT '[]', "behaviour" jsonb NOT NULL DEFAULT '[]', "entitlements" jsonb NOT NULL DEFAULT '[]', "status" text NOT NULL DEFAULT 'ACTIVE', "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_77a8cde530a03ac6079d701ffe2" UNIQUE ("key"), CONSTRAINT "entitlement_rules_status_check" CHECK ("status" IN ('ACTIVE', 'ARCHIVED')), CONSTRAINT "entitlement_rules_effect_check" CHECK ("effect" IN ('GRANT', 'DENY')), CONSTRAINT "PK_a7c18e9db6691799a076c9f394a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "entitlement_rules_created_idx" ON "entitlement_rules"  ("created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "user_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" text NOT NULL, "entitlement_key" text NOT NULL, "effect" text NOT NULL, "value" jsonb, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "reason" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "withdrawn_at" TIMESTAMP(3) WITH TIME ZONE, "withdrawn_by" text, "withdraw_reason" text, CONSTRAINT "user_grants_effect_check" CHECK ("effect" IN ('GRANT', 'REVOKE')), CONSTRAINT "PK_462044d5c7e9de8308233e5d074" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "user_grants_user_idx" ON "user_grants"  ("user_id", "created_at") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."user_grants_user_idx"`);
        await queryRunner.query(`DROP TABLE "user_grants"`);
        await queryRunner.query(`DROP INDEX "public"."entitlement_rules_created_idx"`);
        await queryRunner.query(`DROP TABLE "entitlement_rules"`);
        await queryRunner.query(`DROP INDEX "public"."entitlements_created_idx"`);
        await queryRunner.query(`DROP TABLE "entitlements"`);
    }

}
