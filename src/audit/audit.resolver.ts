import { Arg, Authorized, Ctx, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { AuditEntry } from './audit-entry.entity';
import { AuditEntityType, listAudit } from './audit.service';
import { Connection } from '../common/pagination';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';

@ObjectType()
export class AuditEntryConnection extends Connection(AuditEntry) {}

@Resolver()
export class AuditResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => AuditEntryConnection, { description: 'Every change made to an experiment, newest first.' })
  auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('experimentKey') experimentKey: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEntryConnection> {
    return listAudit(ctx.dataSource.manager, AuditEntityType.EXPERIMENT, experimentKey, first, after);
  }
}
