/** True exactly when A and B are the same type. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compiles only when A and B are the same type: keeps a GraphQL enum's values (`${Enum}`) equal to
 * the pure union it serves, so that neither can gain a member the other lacks.
 */
export function assertSameType<A, B>(proof: Same<A, B>): void {
  void proof;
}
