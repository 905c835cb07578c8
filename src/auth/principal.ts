import { registerEnumType } from 'type-graphql';

export enum Role {
  /** Product managers: everything. */
  ADMIN = 'ADMIN',
  /** Analysts: read everything, write nothing. */
  ANALYST = 'ANALYST',
  /** Apps: only the app-facing operations. */
  SDK = 'SDK',
}
registerEnumType(Role, { name: 'Role' });

/** The caller behind a request's API key. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

/** How a principal is named in audit entries. */
export function actorName(principal: Principal): string {
  return `api-key:${principal.name}`;
}
