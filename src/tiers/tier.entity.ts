import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';

/** One entry of the tier catalogue: the value segments targeting may name and apps send in `resolve`. */
@ObjectType({ description: 'A value segment of users, e.g. `high_value`. Targeting may name only catalogued tiers.' })
@Entity('tiers')
export class Tier {
  @Field({ description: 'The name targeting uses and apps send as `user.tier`, e.g. `high_value`.' })
  @PrimaryColumn('text', { primaryKeyConstraintName: 'tiers_pkey' })
  key!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
