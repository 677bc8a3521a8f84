// What the engine proxies of the tests share: a loopback TCP server that opens a connection to
// the engine for each client, ties the two together (either closing closes the other), and
// leaves what passes between them to the caller.
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** A MongoDB URI without a database, for a subgraph or client in place of the engine's. */
  uri: string;
  /** Every client and engine socket open through it. */
  sockets: ReadonlySet<Socket>;
  close(): Promise<void>;
}

/**
 * `link` decides what passes between a client and its engine connection (pipe both ways, or
 * watch and hold); `accept` may refuse a client, which is closed at once.
 */
export async function startTcpProxy(target: string, link: (client: Socket, engine: Socket) => void, accept: () => boolean = () => true): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!accept()) return void client.destroy();
    const engine = connect(Number(port), hostname);
    for (const [socket, peer] of [
      [client, engine],
      [engine, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        peer.destroy();
      });
    }
    link(client, engine);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port: listening } = server.address() as { port: number };
  return {
    uri: `mongodb://127.0.0.1:${listening}/`,
    sockets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
