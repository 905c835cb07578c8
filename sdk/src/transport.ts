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

/** GraphQL and plain GETs over `fetch`, with a timeout, and every failure turned into an UpliftError. The key goes in a header, never the address. */
export class Transport {
  private readonly fetch: FetchLike;
  private readonly base: string;
  private readonly endpoint: string;

  constructor(private readonly options: TransportOptions) {
    const found = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (!found) throw new Error('No fetch: pass options.fetch');
    // Browsers refuse a fetch called as another object's method ("Illegal invocation").
    this.fetch = options.fetch ?? found.bind(globalThis);
    this.base = options.url.replace(/\/+$/, '');
    this.endpoint = `${this.base}/graphql`;
  }

  /** Opens a long-lived GET (the live update stream); the caller reads the body and aborts it. */
  async openStream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await this.fetch(`${this.base}${path}`, {
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

  /**
   * GET of a JSON document (the SDK configuration), conditional on the ETag of the copy held:
   * `null` when the server answers 304 (unchanged, no body).
   */
  async getJson<T>(path: string, etag: string | undefined): Promise<{ value: T; etag: string | null } | null> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.options.key}` };
    if (etag) headers['if-none-match'] = etag;
    const answer = await this.send(`${this.base}${path}`, { method: 'GET', headers });
    if (answer.status === 304) return null;
    return { value: this.parse<T>(answer), etag: answer.etag };
  }

  async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const answer = await this.send(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = this.parse<GraphQLAnswer<T>>(answer);
    if (body.data === undefined || body.data === null) throw new UpliftError('INVALID_RESPONSE', 'Uplift answered without data', answer.status);
    return body.data;
  }

  /** One request within the timeout; the network's failures as UpliftErrors. */
  private async send(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; text: string; etag: string | null }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await this.fetch(url, { ...init, signal: controller.signal });
      return { status: response.status, text: await response.text(), etag: response.headers.get('etag') };
    } catch (error) {
      if (controller.signal.aborted) throw new UpliftError('TIMEOUT', `Uplift did not answer within ${this.options.timeoutMs} ms`);
      throw new UpliftError('NETWORK_ERROR', `Could not reach Uplift: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The answer's JSON; a refusal (GraphQL's `errors`, which every endpoint uses) or another status as an UpliftError. */
  private parse<T>({ status, text }: { status: number; text: string }): T {
    let body: T & GraphQLAnswer<unknown>;
    try {
      body = JSON.parse(text) as T & GraphQLAnswer<unknown>;
    } catch {
      throw errorFromAnswer(status, undefined, `Uplift answered HTTP ${status} without JSON`);
    }
    const first = body?.errors?.[0];
    if (first) throw errorFromAnswer(status, first.extensions?.code, first.message, first.extensions?.reason);
    if (status < 200 || status >= 300) throw errorFromAnswer(status, undefined, `Uplift answered HTTP ${status}`);
    return body;
  }
}
