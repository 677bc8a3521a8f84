// A TCP proxy in front of the engine that lets one chosen write through and keeps its reply: the
// engine applies the write, and the subgraph never hears that it did. It is what a process killed
// right after its write reached the database leaves behind, made to happen on cue.
import { startTcpProxy } from './tcp-proxy';

export interface ReplyHoldingProxy {
  /** A MongoDB URI without a database: give it to a subgraph in place of the engine's. */
  uri: string;
  /**
   * The next `command` on `collection` (an `insert` into `licenceStates`, an `update` of
   * `authorisations`) reaches the engine; its reply, and all that follows on its connection, does
   * not reach the client. Resolves once the engine has answered it, so the write is applied.
   */
  holdReplyTo(command: string, collection: string): Promise<void>;
  close(): Promise<void>;
}

interface Hold {
  /** How the command starts in the wire message: BSON for `{ <command>: "<collection>" }`. */
  pattern: Buffer;
  answered(): void;
}

export async function startReplyHoldingProxy(target: string): Promise<ReplyHoldingProxy> {
  let armed: Hold | undefined;
  const proxy = await startTcpProxy(target, (client, engine) => {
    let held: Hold | undefined;
    // The end of the last chunk, so that a command cut between two chunks is still recognised.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (armed && !held) {
        const window = Buffer.concat([tail, chunk]);
        if (window.includes(armed.pattern)) [held, armed] = [armed, undefined];
        tail = window.subarray(Math.max(0, window.length - 256));
      }
      engine.write(chunk);
    });
    engine.on('data', (chunk: Buffer) => {
      if (held) held.answered();
      else client.write(chunk);
    });
  });
  return {
    uri: proxy.uri,
    holdReplyTo(command, collection) {
      return new Promise<void>((answered) => {
        armed = { pattern: commandPattern(command, collection), answered };
      });
    },
    close: () => proxy.close(),
  };
}

/** The BSON element `command: "collection"`: type 0x02 (string), the name, the length, the text. */
function commandPattern(command: string, collection: string): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32LE(Buffer.byteLength(collection) + 1);
  return Buffer.concat([Buffer.from([0x02]), Buffer.from(`${command}\0`), length, Buffer.from(`${collection}\0`)]);
}
