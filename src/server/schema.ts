import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import path from 'node:path';
import { printSchema, type GraphQLSchema } from 'graphql';
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
import { StatsResolver } from '../stats/stats.resolver';
import { EntitlementResolver, EntitlementRuleResolver } from '../entitlements/entitlement.resolver';

/** The whole GraphQL schema, built from the resolvers of every domain. */
export async function buildUpliftSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      ResolveResolver, EventResolver, ExperimentResolver, MetricResolver, ResultResolver, FlagResolver, EntitlementResolver, EntitlementRuleResolver,
      LayerResolver, HoldoutResolver, AuditResolver, ApiKeyResolver, StatsResolver, ExposureResolver,
    ],
    authChecker,
    validate: { forbidUnknownValues: false },
  });
  usePlainResolveResolvers(schema);
  return schema;
}

export const SCHEMA_FILE = path.join(projectRoot, 'schema', 'schema.graphql');

/** The schema as committed in `schema/schema.graphql`. */
export async function printedSchema(): Promise<string> {
  return `${printSchema(await buildUpliftSchema())}\n`;
}
