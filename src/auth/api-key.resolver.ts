import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Length } from 'class-validator';
import { ApiKey } from './api-key.entity';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service';
import { Role, type Principal } from './principal';
import type { RequestContext } from '../common/context';

@InputType()
class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "checkout-service" or "alice".' })
  @Length(1, 100)
  name!: string;

  @Field(() => Role)
  role!: Role;
}

@ObjectType()
class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'The key itself. Shown this once: only its hash is kept.' })
  secret!: string;
}

@Resolver()
export class ApiKeyResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [ApiKey])
  apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    return listApiKeys(ctx.dataSource);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiKey)
  createApiKey(@Ctx() ctx: RequestContext, @Arg('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    return createApiKey(ctx.dataSource, ctx.principal as Principal, input.name, input.role);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ApiKey, { description: 'Revoked keys stop working at once. Revoking twice is harmless.' })
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return revokeApiKey(ctx.dataSource, ctx.principal as Principal, id);
  }
}
