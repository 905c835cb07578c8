import { ClassType, Field, ObjectType } from 'type-graphql';
import { DomainError, ErrorCode } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor!: string | null;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** A Relay-style connection type for `T`: `nodes` plus `pageInfo`. */
export function Connection<T extends object>(nodeType: ClassType<T>) {
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [nodeType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

export function pageSize(first: number | undefined | null): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'INVALID_PAGE_SIZE', `first must be from 1 to ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the JSON sort key of the last row read. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, validate: (key: unknown[]) => boolean): unknown[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || !validate(key)) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'INVALID_CURSOR', 'after is not a cursor returned by this API', 'after');
  }
  return key;
}

/** Builds a page from `size + 1` fetched rows: the extra row only tells whether there is a next page. */
export function toPage<T>(rows: T[], size: number, cursorOf: (row: T) => unknown[]): Page<T> {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(cursorOf(last)) : null } };
}

const isCreatedAtKey = (key: unknown[]) =>
  key.length === 2 && typeof key[0] === 'string' && !Number.isNaN(Date.parse(key[0])) && typeof key[1] === 'string' && /^[0-9a-f-]{36}$/i.test(key[1]);

/** The cursor of lists ordered newest first by (created_at, id). */
export const createdAtCursor = {
  of: (row: { createdAt: Date; id: string }): unknown[] => [row.createdAt.toISOString(), row.id],
  parse: (after: string): [string, string] => decodeCursor(after, isCreatedAtKey) as [string, string],
};
