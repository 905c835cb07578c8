import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The tier catalogue: the four tiers of docs/concepts.md, and every tier that targeting already names
 * (experiments, entitlement rules, flag rules), so that what was saved before stays valid.
 */
export class TierCatalogue1795540000000 implements MigrationInterface {
    name = 'TierCatalogue1795540000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "tiers" ("key" text NOT NULL, "description" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tiers_pkey" PRIMARY KEY ("key"))`);
        await queryRunner.query(`INSERT INTO "tiers" ("key", "description") VALUES
            ('new', 'Joined recently.'),
            ('regular', 'Uses the app regularly.'),
            ('high_value', 'Pays or engages far above the rest.'),
            ('suspect', 'Activity that looks fake or abusive.')`);
        await queryRunner.query(`INSERT INTO "tiers" ("key", "description")
            SELECT DISTINCT t, 'Named by targeting before the catalogue existed.' FROM (
              SELECT jsonb_array_elements_text(targeting->'tiers') AS t FROM experiments
              UNION SELECT jsonb_array_elements_text(targeting->'tiers') FROM entitlement_rules
              UNION SELECT jsonb_array_elements_text(r->'targeting'->'tiers') FROM flags, jsonb_array_elements(rules) AS r
            ) used
            ON CONFLICT ("key") DO NOTHING`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "tiers"`);
    }

}
