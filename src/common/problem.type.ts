import { Field, ObjectType } from 'type-graphql';

@ObjectType('Problem', { description: 'One thing wrong with an input or an entity, at a field path such as `variants.1.weight`.' })
export class ProblemType {
  @Field({ description: 'Path of the field, below the input: `variants`, `variants.1.payload.rewardAmount`, `targeting.tiers.0`.' })
  field!: string;

  @Field()
  message!: string;
}
