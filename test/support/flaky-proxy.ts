// An HTTP proxy in front of the gateway or a subgraph that fails the requests a test plans to
// fail, the ways a part of the platform fails: a connection closed without an answer, an HTTP
// error status, or the gateway's answer when a subgraph is down (200, with the fields that
// subgraph owns null and an error naming it). Every other request is passed on unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCode } from '../../subgraphs/kit/errors';

export type Fault =
  /** The connection is closed with no answer, as by a process that dies mid-request. Nothing is passed on. */
  | 'reset'
  /** Passed on, then the connection is closed before the answer: the work is done, its answer lost. */
  | 'lose-answer'
  /** Answered with this status and nothing passed on, as a load balancer in front of a restarting service. */
  | { status: number }
  /**
   * As the gateway answers when `subgraph` is down: with `field`, the request is passed on and
   * every `field` in the answer becomes null with an error on its path; without, nothing is
   * passed on and the answer is `data: null` with one error.
   */
  | { unavailable: string; field?: string };

export interface ProxiedRequest {
  /** From 1, over every request this proxy saw. */
  number: number;
  /** "POST /ingest". */
  route: string;
  /** The GraphQL operation's name, when the body is a GraphQL request. */
  operationName: string | undefined;
}

export interface FlakyProxy {
  /** The target's URL, with this proxy's origin. */
  url: string;
  readonly requests: number;
  readonly faults: number;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string, plan: (request: ProxiedRequest) => Fault | undefined): Promise<FlakyProxy> {
  const targetUrl = new URL(target);
  let requests = 0;
  let faults = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const route = `${req.method} ${new URL(req.url ?? '/', targetUrl).pathname}`;
      const fault = plan({ number: ++requests, route, operationName: operationNameOf(body) });
      if (fault) faults++;
      if (fault === 'reset') return req.socket.destroy();
      if (typeof fault === 'object' && 'status' in fault) return send(res, fault.status, { error: `injected HTTP ${fault.status}` });
      if (typeof fault === 'object' && fault.field === undefined) return send(res, 200, { data: null, errors: [unavailable(fault.unavailable, undefined)] });
      const answer = await forward(new URL(req.url ?? '/', targetUrl), req, body);
      if (fault === 'lose-answer') return req.socket.destroy();
      if (typeof fault === 'object') return send(res, 200, withoutField(JSON.parse(answer.text) as { data: unknown }, fault.unavailable, fault.field!));
      res.writeHead(answer.status, { 'content-type': answer.contentType });
      res.end(answer.text);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = new URL(target);
  url.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: url.toString(),
    get requests() {
      return requests;
    },
    get faults() {
      return faults;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Counts requests per operation, for plans that fail the nth request of one operation. */
export function perOperation(faults: Record<string, Record<number, Fault>>): (request: ProxiedRequest) => Fault | undefined {
  const seen = new Map<string, number>();
  return ({ operationName }) => {
    if (!operationName) return undefined;
    const number = (seen.get(operationName) ?? 0) + 1;
    seen.set(operationName, number);
    return faults[operationName]?.[number];
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function operationNameOf(body: string): string | undefined {
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    return typeof query === 'string' ? /\b(?:query|mutation)\s+(\w+)/.exec(query)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

async function forward(url: URL, req: IncomingMessage, body: string): Promise<{ status: number; contentType: string; text: string }> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) =>
      ['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(name) || value === undefined ? [] : [[name, String(value)]],
    ),
  );
  const response = await fetch(url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
  return { status: response.status, contentType: response.headers.get('content-type') ?? 'application/json', text: await response.text() };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function unavailable(subgraph: string, path: (string | number)[] | undefined) {
  return {
    message: `The ${subgraph} subgraph is unavailable`,
    ...(path && { path }),
    extensions: { code: ErrorCode.SubgraphUnavailable, subgraph, reason: 'connection refused' },
  };
}

/** The answer as the gateway gives it without `subgraph`: each `field` null, with an error on its path. */
function withoutField(answer: { data: unknown }, subgraph: string, field: string): { data: unknown; errors: ReturnType<typeof unavailable>[] } {
  const errors: ReturnType<typeof unavailable>[] = [];
  const strip = (value: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => strip(item, [...path, index]));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        if (key !== field) return [key, strip(inner, [...path, key])];
        errors.push(unavailable(subgraph, [...path, key]));
        return [key, null];
      }),
    );
  };
  const data = strip(answer.data, []);
  // A plan that names a field the answer lacks still fails the request, as the whole answer.
  return errors.length > 0 ? { data, errors } : { data: null, errors: [unavailable(subgraph, undefined)] };
}
