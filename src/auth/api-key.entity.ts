import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from './principal';

@ObjectType({ description: 'An API key. Its secret is shown once, on creation; only a hash is stored.' })
@Entity('api_keys')
@Check('api_keys_role_check', `"role" IN ('ADMIN', 'ANALYST', 'SDK', 'CLIENT')`)
export class ApiKey {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => Role)
  @Column('text')
  role!: Role;

  /** SHA-256 of the secret, hex. Keys are 192 random bits, so a fast hash is enough (no dictionary to attack). */
  @Index('api_keys_key_hash_key', { unique: true })
  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  @Field({ description: 'The first characters of the secret, to recognise a key without revealing it.' })
  @Column('text', { name: 'key_prefix' })
  keyPrefix!: string;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamp with time zone', { name: 'revoked_at', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
