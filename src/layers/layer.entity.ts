import { Check, Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Experiments that share traffic exclusively: a user is in at most one experiment of a layer.' })
@Entity('layers')
export class Layer {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text', { unique: true })
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field({ description: 'Hash seed that splits users between the layer’s experiments (default: its key).' })
  @Column('text')
  seed!: string;

  @Field(() => Int)
  @Column('int', { default: 1 })
  version!: number;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}

@ObjectType({ description: 'A share of all users kept out of every experiment, to measure the programme as a whole.' })
@Entity('holdout')
@Check('holdout_singleton_check', '"id" = 1')
@Check('holdout_percentage_check', '"percentage" >= 0 AND "percentage" <= 50')
export class Holdout {
  @PrimaryColumn('int', { default: 1 })
  id!: number;

  @Field(() => Float, { description: 'Percent of users held out, 0 to 50; 0 turns the holdout off.' })
  @Column('double precision')
  percentage!: number;

  @Field()
  @Column('text')
  seed!: string;

  @Field(() => Int)
  @Column('int', { default: 1 })
  version!: number;

  @Field()
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3, default: () => 'now()' })
  updatedAt!: Date;
}
