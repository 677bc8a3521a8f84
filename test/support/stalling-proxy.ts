// A TCP proxy in front of the engine that can stop passing traffic on, as an engine that hangs
// would: connections stay open, and nothing comes back.
import { startTcpProxy } from './tcp-proxy';

export interface StallingProxy {
  uri: string;
  /** Bytes passed on from clients to the engine so far. */
  readonly forwarded: number;
  /** From now on, swallow everything in both directions. */
  stall(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: string, options: { stallAfterBytes?: number } = {}): Promise<StallingProxy> {
  let stalled = false;
  let forwarded = 0;
  const proxy = await startTcpProxy(target, (client, engine) => {
    client.on('data', (chunk: Buffer) => {
      if (stalled) return;
      forwarded += chunk.length;
      engine.write(chunk);
      if (options.stallAfterBytes !== undefined && forwarded >= options.stallAfterBytes) stalled = true;
    });
    engine.on('data', (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
  });
  return {
    uri: proxy.uri,
    get forwarded() {
      return forwarded;
    },
    stall() {
      stalled = true;
    },
    close: () => proxy.close(),
  };
}
