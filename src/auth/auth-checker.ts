import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../common/context';
import { AuthErrorReason, authError } from './auth.errors';
import type { Role } from './principal';

/** `@Authorized(roles)`: no key is UNAUTHENTICATED, a key without one of the roles is FORBIDDEN. */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  if (!context.principal) throw authError(AuthErrorReason.MISSING_KEY, 'This operation needs an API key: send "Authorization: Bearer <key>"');
  if (roles.length > 0 && !roles.includes(context.principal.role)) {
    throw authError(AuthErrorReason.ROLE_NOT_ALLOWED, `Role ${context.principal.role} may not do this`);
  }
  return true;
};
