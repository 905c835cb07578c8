import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../common/context';
import { AuthErrorReason, authError } from './auth.errors';
import type { Principal, Role } from './principal';

/** No key is UNAUTHENTICATED; a key without one of the roles (when any are given) is FORBIDDEN. */
export function assertRole(principal: Principal | null, roles: readonly Role[]): void {
  if (!principal) throw authError(AuthErrorReason.MISSING_KEY, 'This operation needs an API key: send "Authorization: Bearer <key>"');
  if (roles.length > 0 && !roles.includes(principal.role)) {
    throw authError(AuthErrorReason.ROLE_NOT_ALLOWED, `Role ${principal.role} may not do this`);
  }
}

/** `@Authorized(roles)`, checked by assertRole. */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  assertRole(context.principal, roles);
  return true;
};
