/**
 * GraphQL over fetch for the examples that call Uplift's API themselves, with the typed documents
 * `npm run codegen` writes beside each example (operations.generated.ts): the compiler checks the
 * variables against the operation's, and the answer is typed as the operation selects it.
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** Uplift refused the operation: `code` is the error's stable code (docs/errors.md). */
export class UpliftRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`Uplift refused: ${code} ${message}`);
  }
}

export async function request<Result, Variables>(url: string, key: string, document: DocumentTypeDecoration<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch(`${url.replace(/\/+$/, '')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: String(document), variables }),
  });
  const body = (await response.json()) as { data?: Result | null; errors?: { message: string; extensions?: { code?: string } }[] };
  const error = body.errors?.[0];
  if (error) throw new UpliftRefusal(error.extensions?.code ?? 'ERROR', error.message);
  if (!body.data) throw new UpliftRefusal(`HTTP_${response.status}`, 'the answer has no data');
  return body.data;
}
