// A subgraph of the tests' own, on the real kit: its resolvers read or write notes one command at
// a time and can stop half-way until the test lets them go on, so a test can abandon a request, or
// stop the subgraph, between two database commands and count what happens next.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Schema, type Connection, type Model } from 'mongoose';
import { replaceById } from '../../subgraphs/kit/persistence';
import { currentDeadline } from '../../subgraphs/kit/request-deadline';
import type { SubgraphDefinition } from '../../subgraphs/kit/server';

export interface NoteDoc {
  _id: string;
  text: string;
}

export interface ProbeModels {
  notes: Model<NoteDoc>;
}

/** Where a paused resolver waits: until its request is abandoned, or until the test releases it. */
export type PauseUntil = 'abandoned' | 'released';

/** How a resolver call ended: how many notes it got through, and the error that stopped it, if any. */
export interface ProbeOutcome {
  done: number;
  error?: Error;
}

/** One resolver call, as the test follows it. */
export interface ProbeCall {
  /** Resolves when it reaches its pause. */
  paused: Promise<void>;
  /** Resolves when it is over, even if nobody waits for its answer any more. */
  ended: Promise<ProbeOutcome>;
}

export interface Probe {
  definition: SubgraphDefinition<ProbeModels, Record<string, never>>;
  /** What paused resolvers wait for. */
  pauseUntil: PauseUntil;
  /** The next resolver call to start: ask before sending the request. */
  nextCall(): Promise<ProbeCall>;
  /** Lets the resolvers waiting for 'released' go on. */
  release(): void;
}

export function createProbe(): Probe {
  let awaitingCall: ((call: ProbeCall) => void)[] = [];
  let released = deferred<void>();

  async function pause(): Promise<void> {
    if (probe.pauseUntil === 'released') {
      await released.promise;
      return;
    }
    const { signal } = currentDeadline()!;
    if (!signal.aborted) await once(signal, 'abort');
  }

  /**
   * Runs `step` for each key, pausing after `pauseAfter` of them, then `end`; tells the test how
   * far it got once it is over.
   */
  async function stepByStep<T>(
    keys: readonly string[],
    pauseAfter: number | null | undefined,
    step: (key: string) => Promise<void>,
    end: () => Promise<T>,
  ): Promise<T> {
    const paused = deferred<void>();
    const ended = deferred<ProbeOutcome>();
    for (const tell of awaitingCall) tell({ paused: paused.promise, ended: ended.promise });
    awaitingCall = [];
    let done = 0;
    try {
      for (const key of keys) {
        if (done === pauseAfter) {
          paused.resolve();
          await pause();
        }
        await step(key);
        done += 1;
      }
      const result = await end();
      ended.resolve({ done });
      return result;
    } catch (error) {
      ended.resolve({ done, error: error as Error });
      throw error;
    }
  }

  const resolvers = {
    Query: {
      notes: async (_: unknown, args: { keys: string[]; pauseAfter?: number | null }, { models }: { models: ProbeModels }) => {
        const texts: (string | null)[] = [];
        const read = async (key: string) => {
          texts.push((await models.notes.findById(key).lean<NoteDoc>().exec())?.text ?? null);
        };
        return stepByStep(args.keys, args.pauseAfter, read, async () => texts);
      },
    },
    Mutation: {
      putNotes: async (_: unknown, args: { keys: string[]; pauseAfter?: number | null }, { models }: { models: ProbeModels }) => {
        const write = (key: string) => replaceById(models.notes.collection, key, { text: `note ${key}` });
        const readBack = async () =>
          (
            await models.notes
              .find({ _id: { $in: args.keys } })
              .lean<NoteDoc[]>()
              .exec()
          ).map((note) => note.text);
        return stepByStep(args.keys, args.pauseAfter, write, readBack);
      },
    },
  };

  const probe: Probe = {
    definition: {
      name: 'probe',
      defaultPort: 0,
      schemaPath: fileURLToPath(new URL('./probe-subgraph.graphql', import.meta.url)),
      resolvers,
      createModels: (connection: Connection) => ({
        notes: connection.model<NoteDoc>('Note', new Schema<NoteDoc>({ _id: String, text: String }, { versionKey: false }), 'notes'),
      }),
      createLoaders: () => ({}),
    },
    pauseUntil: 'abandoned',
    nextCall: () => new Promise((tell) => awaitingCall.push(tell)),
    release: () => {
      released.resolve();
      released = deferred();
    },
  };
  return probe;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
