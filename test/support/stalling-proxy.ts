// A TCP proxy in front of the engine that can stop passing traffic on, as an engine that hangs
// would: connections stay open, and nothing comes back.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface StallingProxy {
  uri: string;
  /** Bytes passed on from clients to the engine so far. */
  readonly forwarded: number;
  /** From now on, swallow everything in both directions. */
  stall(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: string, options: { stallAfterBytes?: number } = {}): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let stalled = false;
  let forwarded = 0;
  const server: Server = createServer((client) => {
    const engine = connect(Number(port), hostname);
    for (const socket of [client, engine]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => {
      if (stalled) return;
      forwarded += chunk.length;
      engine.write(chunk);
      if (options.stallAfterBytes !== undefined && forwarded >= options.stallAfterBytes) stalled = true;
    });
    engine.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    uri: `mongodb://127.0.0.1:${listening}/`,
    get forwarded() {
      return forwarded;
    },
    stall() {
      stalled = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
