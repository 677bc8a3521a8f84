// A TCP proxy in front of the engine whose link can be cut, as a network that drops: every
// connection through it is closed, and new ones are closed as soon as they open, until it is
// restored.
import { startTcpProxy } from './tcp-proxy';

export interface CuttableProxy {
  uri: string;
  /** Closes every connection through it, and every new one until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  let cut = false;
  const proxy = await startTcpProxy(
    target,
    (client, engine) => {
      client.pipe(engine);
      engine.pipe(client);
    },
    () => !cut,
  );
  return {
    uri: proxy.uri,
    cut() {
      cut = true;
      for (const socket of proxy.sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => proxy.close(),
  };
}
