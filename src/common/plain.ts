/** GraphQL inputs arrive as class instances; rules, JSON columns and the audit log want plain data. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
