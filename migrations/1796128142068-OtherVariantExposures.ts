import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Users seen in a variant other than the one their exposure holds (issue 13): the second variant
 * that the exposures' key (experiment, phase, user) dropped without a word, and trackExposures'
 * reports from SDKs whose configuration is stale. Results report them beside the sample-ratio check.
 */
export class OtherVariantExposures1796128142068 implements MigrationInterface {
    name = 'OtherVariantExposures1796128142068'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "other_variant_exposures" ("experiment_key" text NOT NULL, "phase" integer NOT NULL, "user_id" text NOT NULL, "variant_key" text NOT NULL, "last_exposed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a1af28b4f7621df91dadce90ba5" PRIMARY KEY ("experiment_key", "phase", "user_id", "variant_key"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "other_variant_exposures"`);
    }
}
