import DataLoader from 'dataloader';
import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Experiment } from '../experiments/experiment.entity';
import { Role } from '../auth/principal';
import type { RequestContext } from '../common/context';
import { ExperimentResults } from './result.types';
import { ResultStore } from './result.store';

/** One loader per request: a list of a thousand experiments reads their latest snapshots in one query. */
const loaders = new WeakMap<RequestContext, DataLoader<string, ExperimentResults | null>>();

function latestLoader(ctx: RequestContext): DataLoader<string, ExperimentResults | null> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (keys) => {
      const latest = await new ResultStore(ctx.dataSource.manager).latest([...keys]);
      return keys.map((key) => latest.get(key) ?? null);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

@Resolver(() => Experiment)
export class LatestResultsResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @FieldResolver(() => ExperimentResults, {
    nullable: true,
    description: 'The newest stored snapshot of its results (any phase), or null when none was computed. Reads only: lists of experiments show it without computing anything.',
  })
  latestResults(@Ctx() ctx: RequestContext, @Root() experiment: Experiment): Promise<ExperimentResults | null> {
    return latestLoader(ctx).load(experiment.key);
  }
}
