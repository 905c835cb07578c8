import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * keyPrefix showed the first 12 characters of a secret: for an operator's short UPLIFT_ADMIN_KEY,
 * the whole secret. Now it shows at most 8 characters of the random part. Uplift's own keys
 * (`upl_` + 8 random characters) are already within that; any other prefix keeps its first 8
 * characters when it had 12 (the secret was longer), and nothing when it was shorter (it was the
 * whole secret). There is no way back: the longer prefixes are not kept anywhere.
 */
export class ShortKeyPrefixes1796118107312 implements MigrationInterface {
    name = 'ShortKeyPrefixes1796118107312'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`UPDATE "api_keys" SET "key_prefix" = CASE WHEN length("key_prefix") >= 12 THEN left("key_prefix", 8) ELSE '' END WHERE "key_prefix" !~ '^upl_[A-Za-z0-9_-]{8}$'`);
    }

    public async down(): Promise<void> {
        // Nothing to undo: the shortened prefixes cannot be lengthened again, and the short ones are valid as they are.
    }
}
