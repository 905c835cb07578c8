import { errorFromAnswer, UpliftError } from './errors';

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body?: ReadableStream<Uint8Array> | null;
}>;

export interface TransportOptions {
  /** The server's base address, e.g. `https://uplift.example.com`. */
  url: string;
  /** An API key: an `SDK` key on servers, a `CLIENT` key in browsers and mobile apps. */
  key: string;
  /** Per request. */
  timeoutMs: number;
  /** Defaults to the global `fetch` (Node 18+ and browsers). */
  fetch?: FetchLike;
}

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

/** GraphQL over `fetch`, with a timeout, and every failure turned into an UpliftError. The key goes in a header, never the address. */
export class Transport {
  private readonly fetch: FetchLike;
  private readonly endpoint: string;

  constructor(private readonly options: TransportOptions) {
    const found = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (!found) throw new Error('No fetch: pass options.fetch');
    // Browsers refuse a fetch called as another object's method ("Illegal invocation").
    this.fetch = options.fetch ?? found.bind(globalThis);
    this.endpoint = `${options.url.replace(/\/+$/, '')}/graphql`;
  }

  /** Opens a long-lived GET (the live update stream); the caller reads the body and aborts it. */
  async openStream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await this.fetch(`${this.options.url.replace(/\/+$/, '')}${path}`, {
        method: 'GET',
        headers: { accept: 'text/event-stream', authorization: `Bearer ${this.options.key}`, ...headers },
        signal,
      });
    } catch (error) {
      throw new UpliftError('NETWORK_ERROR', `Could not reach Uplift: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200 || !response.body) {
      throw errorFromAnswer(response.status, undefined, `Uplift's update stream answered HTTP ${response.status}`);
    }
    return response.body;
  }

  async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.key}` },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (controller.signal.aborted) throw new UpliftError('TIMEOUT', `Uplift did not answer within ${this.options.timeoutMs} ms`);
      throw new UpliftError('NETWORK_ERROR', `Could not reach Uplift: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    let answer: GraphQLAnswer<T>;
    try {
      answer = JSON.parse(text) as GraphQLAnswer<T>;
    } catch {
      throw errorFromAnswer(status, undefined, `Uplift answered HTTP ${status} without JSON`);
    }
    const first = answer.errors?.[0];
    if (first) throw errorFromAnswer(status, first.extensions?.code, first.message, first.extensions?.reason);
    if (status < 200 || status >= 300) throw errorFromAnswer(status, undefined, `Uplift answered HTTP ${status}`);
    if (answer.data === undefined || answer.data === null) throw new UpliftError('INVALID_RESPONSE', 'Uplift answered without data', status);
    return answer.data;
  }
}
