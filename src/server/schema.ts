import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import path from 'node:path';
import { defaultFieldResolver, isObjectType, printSchema, type GraphQLSchema } from 'graphql';
import { assertInputRules } from '../input/input.errors';
import { projectRoot } from '../common/paths';
import { authChecker } from '../auth/auth-checker';
import { ApiKeyResolver } from '../auth/api-key.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { ExperimentResolver } from '../experiments/experiment.resolver';
import { HoldoutResolver, LayerResolver } from '../layers/layer.resolver';
import { FlagResolver } from '../flags/flag.resolver';
import { ResolveResolver, usePlainResolveResolvers } from '../assignment/resolve.resolver';
import { EventResolver } from '../events/event.resolver';
import { ExposureResolver } from '../events/exposure.resolver';
import { MetricResolver } from '../metrics/metric.resolver';
import { ResultResolver } from '../results/result.resolver';
import { LatestResultsResolver } from '../results/latest-results.resolver';
import { TimelineResolver } from '../results/timeline.resolver';
import { StatsResolver } from '../stats/stats.resolver';
import { EntitlementResolver, EntitlementRuleResolver } from '../entitlements/entitlement.resolver';
import { TierResolver } from '../tiers/tier.resolver';

/** The whole GraphQL schema, built from the resolvers of every domain. */
export async function buildUpliftSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      ResolveResolver, EventResolver, ExperimentResolver, MetricResolver, ResultResolver, LatestResultsResolver, TimelineResolver, FlagResolver, EntitlementResolver, EntitlementRuleResolver,
      LayerResolver, HoldoutResolver, AuditResolver, ApiKeyResolver, StatsResolver, TierResolver, ExposureResolver,
    ],
    authChecker,
    validate: { forbidUnknownValues: false },
  });
  usePlainResolveResolvers(schema);
  applyInputRules(schema);
  return schema;
}

/** Arguments whose items their resolver judges one by one (src/events/event.rules.ts): one bad event must not sink its batch. */
const PER_ITEM_ARGUMENTS: Record<string, ReadonlySet<string>> = { 'Mutation.trackEvents': new Set(['events']) };

/**
 * The input rules (src/input/input.rules.ts) in front of every field that takes arguments, on
 * the coerced arguments: the same check for Apollo and graphql-jit, for variables and literals,
 * before any resolver reads them.
 */
function applyInputRules(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const perItem = PER_ITEM_ARGUMENTS[`${type.name}.${field.name}`];
      field.resolve = (source, args, context, info) => {
        assertInputRules(args, perItem);
        return resolve(source, args, context, info);
      };
    }
  }
}

export const SCHEMA_FILE = path.join(projectRoot, 'schema', 'schema.graphql');

/** The schema as committed in `schema/schema.graphql`. */
export async function printedSchema(): Promise<string> {
  return `${printSchema(await buildUpliftSchema())}\n`;
}
