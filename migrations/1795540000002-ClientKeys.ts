import type { MigrationInterface, QueryRunner } from 'typeorm';

/** CLIENT keys: public, for browsers and mobile apps, beside the secret server-side SDK keys. */
export class ClientKeys1795540000002 implements MigrationInterface {
  name = 'ClientKeys1795540000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_role_check"`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_role_check" CHECK ("role" IN ('ADMIN', 'ANALYST', 'SDK', 'CLIENT'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_role_check"`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_role_check" CHECK ("role" IN ('ADMIN', 'ANALYST', 'SDK'))`);
  }
}
