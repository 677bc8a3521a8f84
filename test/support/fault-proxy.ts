// An HTTP proxy in front of one subgraph that can play its failures on cue: gone (its port
// refuses connections), slow, answering 503, or dropping the connection of the next request.
// It counts what reaches it, so tests can tell a skipped subgraph from a refused one.
import { createServer, request as forward, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FaultMode = { kind: 'pass' } | { kind: 'slow'; delayMs: number } | { kind: 'unavailable' } | { kind: 'drop-next' };

export interface FaultProxy {
  /** The proxy's URL for the subgraph's path: /graphql. */
  readonly url: string;
  /** Requests that reached the proxy, and the TCP connections they came on. */
  readonly requests: number;
  readonly connections: number;
  /** Headers of every request that reached it, oldest first. */
  readonly seenHeaders: IncomingHttpHeaders[];
  set(mode: FaultMode): void;
  /** The subgraph is gone: the port refuses connections, and open ones are cut. */
  down(): Promise<void>;
  /** Back on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let mode: FaultMode = { kind: 'pass' };
  let requests = 0;
  let connections = 0;
  const seenHeaders: IncomingHttpHeaders[] = [];
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    seenHeaders.push(req.headers);
    const current = mode;
    if (current.kind === 'drop-next') {
      mode = { kind: 'pass' };
      req.socket.destroy();
      return;
    }
    if (current.kind === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
      return;
    }
    if (current.kind === 'slow') await sleep(current.delayMs);
    const upstream = forward({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    seenHeaders,
    set: (next) => {
      mode = next;
    },
    down: stop,
    up: async () => {
      await listen(port);
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
