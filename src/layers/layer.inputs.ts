import { Field, Float, InputType } from 'type-graphql';
import { IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { SLUG_PATTERN } from '../targeting/targeting.rules';

@InputType()
export class UpdateLayerInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;
}

@InputType()
export class CreateLayerInput extends UpdateLayerInput {
  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: 'key must be a slug: lower-case letters and digits, joined by - or _' })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field({ nullable: true, description: 'Default: the key. Fixed once created.' })
  @IsOptional()
  @Length(1, 100)
  seed?: string;
}

@InputType()
export class HoldoutInput {
  @Field(() => Float, { description: 'Percent of all users kept out of every experiment, 0 (off) to 50.' })
  @Min(0)
  @Max(50)
  percentage!: number;

  @Field({ nullable: true, description: 'Default: "holdout". A new seed holds out different users.' })
  @IsOptional()
  @Length(1, 100)
  seed?: string;
}
