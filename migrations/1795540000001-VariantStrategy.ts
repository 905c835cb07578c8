import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A strategy belongs to a variant: one experiment can hold arms of different strategies (check-in
 * and task system in activity-incentives). Null means the experiment's strategy, so existing
 * variants keep theirs.
 */
export class VariantStrategy1795540000001 implements MigrationInterface {
    name = 'VariantStrategy1795540000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiment_variants" ADD "strategy" text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiment_variants" DROP COLUMN "strategy"`);
    }
}
