// A client for the composed graph, for services that read it like any other client (risk
// screening and learning). GraphQL errors become exceptions carrying their codes; a request
// that fails in transit is retried, since every caller's operations are reads or idempotent.
import { setTimeout as sleep } from 'node:timers/promises';
import { beginWait } from './in-flight';

export interface GraphClient {
  request<TData>(query: string, variables?: Record<string, unknown>): Promise<TData>;
}

export interface GraphClientOptions {
  /** The gateway's GraphQL URL, or how to find it when it is only known later (tests). */
  url: string | (() => string);
  /** The bearer token this client proves who it is with, fetched before each request (it may be renewed). */
  token: () => Promise<string>;
  timeoutMs?: number;
  retries?: number;
}

export class GraphRequestError extends Error {
  constructor(
    message: string,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(message);
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code as string | undefined;
  }
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { timeoutMs = 120_000, retries = 2 } = options;
  const urlOf = typeof options.url === 'string' ? () => options.url as string : options.url;
  return {
    async request<TData>(query: string, variables: Record<string, unknown> = {}): Promise<TData> {
      for (let attempt = 0; ; attempt++) {
        let response: Response;
        const done = beginWait(`${operationName(query)} at ${urlOf()}`);
        try {
          response = await fetch(urlOf(), {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${await options.token()}` },
            body: JSON.stringify({ query, variables }),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          done();
          if (attempt >= retries) throw new Error(`The graph at ${urlOf()} did not answer: ${(error as Error).message}`, { cause: error });
          await sleep(250 * 2 ** attempt);
          continue;
        }
        const body = (await response
          .json()
          .catch(() => ({}))
          .finally(done)) as { data?: TData | null; errors?: GraphRequestError['errors'] };
        if (response.status >= 500 && attempt < retries) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        if (body.errors?.length) throw new GraphRequestError(`The graph answered with errors: ${body.errors.map((e) => e.message).join('; ')}`, body.errors);
        if (!body.data) throw new Error(`The graph at ${urlOf()} answered HTTP ${response.status} without data`);
        return body.data;
      }
    },
  };
}

function operationName(query: string): string {
  return /\b(query|mutation)\s+(\w+)/.exec(query)?.slice(1, 3).join(' ') ?? 'an operation';
}
