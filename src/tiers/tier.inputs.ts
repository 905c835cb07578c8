import { Field, InputType } from 'type-graphql';
import { IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { SLUG_PATTERN } from '../targeting/targeting.rules';

@InputType()
export class CreateTierInput {
  @Field({ description: 'Lower-case letters and digits, joined by - or _, e.g. `high_value`.' })
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: 'key must be a slug: lower-case letters and digits, joined by - or _' })
  key!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;
}
