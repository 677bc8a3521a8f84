// Apollo Server on plain node:http, so /graphql can sit beside health checks and static pages
// (startStandaloneServer would send every path to GraphQL).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { InvalidTimeoutHeaderError, withRequestDeadline } from './request-deadline';

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpServiceOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Answers /readyz: true when the service can do its work (its database answers, say). */
  ready: () => Promise<boolean | { ready: boolean; [detail: string]: unknown }>;
  /** Tried before GraphQL, in order; a route returns true when it answered. */
  routes?: Route[];
  /** Larger bodies are refused with 413 before they are parsed. */
  maxBodyBytes?: number;
  /**
   * The longest a GraphQL request may run (request-deadline.ts); a caller's
   * x-request-timeout-ms may only shorten it. Default 30 s.
   */
  timeoutMs?: number;
  /** Names the service in /metrics. */
  service: string;
  /** Counters of its own for /metrics, beside the GraphQL requests answered (a subgraph's database commands). */
  counters?: () => Record<string, { help: string; value: number }>;
}

export interface RunningService {
  url: string;
  port: number;
  server: Server;
}

/**
 * The request listener of a service. The node:http server is created first, because
 * Apollo's drain plugin needs it before Apollo Server exists.
 */
export function createRequestHandler<TContext extends BaseContext>(options: HttpServiceOptions<TContext>): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  let graphqlRequests = 0;
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
      console.error(error);
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') return sendJson(res, 200, { status: 'up' });
    if (path === '/metrics')
      return sendMetrics(res, options.service, {
        graphql_requests_total: { help: 'GraphQL requests answered.', value: graphqlRequests },
        ...options.counters?.(),
      });
    if (path === '/readyz') {
      const answer = await options.ready();
      const detail = typeof answer === 'boolean' ? { ready: answer } : answer;
      return sendJson(res, detail.ready ? 200 : 503, detail);
    }
    for (const route of options.routes ?? []) if (await route(req, res)) return;
    if (path !== '/graphql') return sendJson(res, 404, { error: `nothing at ${path}; GraphQL is at /graphql` });

    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) return sendJson(res, 413, { error: `request body larger than ${maxBodyBytes} bytes` });
    graphqlRequests += 1;
    try {
      await withRequestDeadline(req, res, options.timeoutMs ?? 30_000, () => executeGraphQL(req, res, body));
    } catch (error) {
      if (!(error instanceof InvalidTimeoutHeaderError) || res.headersSent) throw error;
      sendJson(res, 400, { errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
    }
  }

  async function executeGraphQL(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (raw && headers.get('content-type')?.startsWith('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: new URL(req.url ?? '/', 'http://localhost').search, body },
      context: () => options.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** Resolves with the body, or undefined when it exceeds the limit. */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Counters in Prometheus's text format, labelled with the service: what a scraper reads, and what
 * benchmarks read to count the requests each subgraph answered for an operation.
 */
function sendMetrics(res: ServerResponse, service: string, counters: Record<string, { help: string; value: number }>): void {
  const lines = Object.entries(counters).flatMap(([name, { help, value }]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    `${name}{service="${service}"} ${value}`,
  ]);
  res.statusCode = 200;
  res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
  res.end(`${lines.join('\n')}\n`);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

export function listen(server: Server, port: number, host: string): Promise<RunningService> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({ server, port: address.port, url: `http://${shownHost}:${address.port}` });
    });
  });
}

/** The environment variable `npm start` sets on the processes it starts with a pipe on their stdin. */
export const PARENT_LIFELINE = 'PARENT_LIFELINE';

/**
 * Stops on SIGTERM or SIGINT, once, then exits. Started by `npm start` (PARENT_LIFELINE=stdin),
 * it also stops when its stdin closes: the parent is gone, even if it was killed with SIGKILL.
 */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`shutdown after ${reason} failed`, error);
        process.exit(1);
      });
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  if (process.env[PARENT_LIFELINE] === 'stdin') {
    process.stdin.once('end', () => handler('the parent process ended'));
    process.stdin.once('error', () => handler('the parent process ended'));
    process.stdin.resume();
  }
}
