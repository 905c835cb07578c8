import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each experiment's analysis plan (fixed horizon or sequential, and how it is sized), as plain
 * JSON. Null for experiments created before plans: they are read with the default plan.
 */
export class AnalysisPlan1795541000000 implements MigrationInterface {
    name = 'AnalysisPlan1795541000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiments" ADD "analysis_plan" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "experiments" DROP COLUMN "analysis_plan"`);
    }
}
