import { ArgsType, Field, Int } from 'type-graphql';

/** Identifies an entity and the version the client last read (optimistic locking). */
@ArgsType()
export class KeyVersionArgs {
  @Field()
  key!: string;

  @Field(() => Int, { description: 'The version you last read; a newer one means someone else changed it: CONFLICT.' })
  version!: number;
}
