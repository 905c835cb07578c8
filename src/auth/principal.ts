import { registerEnumType } from 'type-graphql';

export enum Role {
  /** Product managers: everything. */
  ADMIN = 'ADMIN',
  /** Analysts: read everything, write nothing. */
  ANALYST = 'ANALYST',
  /** Apps' servers: the app-facing operations, and the whole SDK configuration. A secret. */
  SDK = 'SDK',
  /** Browsers and mobile apps: public. resolve, events and exposures, and only the SDK configuration one user's evaluation needs. */
  CLIENT = 'CLIENT',
}
registerEnumType(Role, {
  name: 'Role',
  valuesConfig: {
    SDK: { description: 'Server-side apps: a secret key.' },
    CLIENT: { description: 'Browsers and mobile apps: a public key; never reads other users’ ids or the entitlement rules.' },
  },
});

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
