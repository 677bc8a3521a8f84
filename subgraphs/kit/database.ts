// One mongoose connection per subgraph, each in a database of its own.
import mongoose, { type Connection } from 'mongoose';
import { noteCommandStarted, requestDeadlinePlugin } from './database-deadline';
import { beginWait } from './in-flight';
import { commandTimer } from './timing';

export interface DatabaseOptions {
  /** Server URI; default MONGODB_URI_<SUBGRAPH>, then MONGODB_URI. */
  uri?: string;
  /** Database name; default the URI's own path, else `<MONGODB_DB_PREFIX or "customs">_<subgraph>`. */
  dbName?: string;
  /** Where losing and getting back the database is told; default the console. */
  log?: (line: string) => void;
}

export interface SubgraphDatabase {
  connection: Connection;
  /** Counts commands sent to the server, so tests can prove a query's round trips stay flat. */
  commands: CommandCounter;
  /** For /readyz: whether the database answers now. */
  state(): Promise<DatabaseState>;
  close(): Promise<void>;
}

/** 'reconnecting': the database does not answer; the driver keeps trying by itself. */
export type DatabaseState = 'connected' | 'reconnecting';

export class CommandCounter {
  private readonly counts = new Map<string, number>();

  record(commandName: string): void {
    this.counts.set(commandName, (this.counts.get(commandName) ?? 0) + 1);
  }

  /** Commands that read or write data; handshakes and heartbeats are the driver's, not the query's. */
  get total(): number {
    let sum = 0;
    for (const [name, count] of this.counts) if (!DRIVER_COMMANDS.has(name)) sum += count;
    return sum;
  }

  byName(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

const DRIVER_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

export function resolveDatabase(subgraph: string, options: DatabaseOptions = {}): { uri: string; dbName: string } {
  const uri = options.uri ?? process.env[`MONGODB_URI_${subgraph.toUpperCase()}`] ?? process.env.MONGODB_URI;
  if (!uri) throw new Error(`No database for the ${subgraph} subgraph: set MONGODB_URI (or start it with npm start)`);
  const fromUri = new URL(uri).pathname.replace(/^\//, '');
  const dbName = options.dbName ?? (fromUri || `${process.env.MONGODB_DB_PREFIX ?? 'customs'}_${subgraph}`);
  return { uri, dbName };
}

export async function connectDatabase(subgraph: string, options: DatabaseOptions = {}): Promise<SubgraphDatabase> {
  const { uri, dbName } = resolveDatabase(subgraph, options);
  const commands = new CommandCounter();
  const connection = mongoose.createConnection(uri, {
    dbName,
    monitorCommands: true,
    // While the database is away, operations fail after this instead of waiting for it.
    serverSelectionTimeoutMS: 5_000,
    // Operations wait for a lost database in the driver, which honours the request's signal and
    // serverSelectionTimeoutMS, not in mongoose's own buffer, which knows neither.
    bufferCommands: false,
    ...operationLimits(),
    // Indexes are created explicitly at start; autoIndex would race with the first queries.
    autoIndex: false,
  });
  // Before createModels: a plugin applies to the models compiled after it.
  connection.plugin(requestDeadlinePlugin);
  trackCommands(connection, commands);
  await connection.asPromise();
  await detectEngine(connection);
  const watch = watchConnection(connection, subgraph, options.log ?? ((line) => console.warn(line)));
  return {
    connection,
    commands,
    state: async () => {
      const failure = await pingFailure(connection);
      if (failure) watch.failed(failure);
      else watch.answered();
      return failure ? 'reconnecting' : 'connected';
    },
    close: () => {
      watch.stop();
      return connection.close();
    },
  };
}

/**
 * Tells, in one line each, when the database stops answering and when it answers again, from the
 * driver's heartbeats (every 10 s) and from readiness probes. The driver reconnects by itself;
 * mongoose's own 'disconnected' is no guide: driver 7 takes a connection refused during its
 * handshake for an overloaded server, and leaves the server's state as it was.
 */
function watchConnection(connection: Connection, subgraph: string, log: (line: string) => void) {
  const where = `${connection.host}:${connection.port}/${connection.name}`;
  let lost = false;
  let stopped = false;
  const watch = {
    failed(reason: string) {
      if (lost || stopped) return;
      lost = true;
      log(`${subgraph} subgraph lost its database (${where}: ${reason}); reconnecting`);
    },
    answered() {
      if (!lost || stopped) return;
      lost = false;
      log(`${subgraph} subgraph reconnected to its database (${where})`);
    },
    /** Closing on purpose is no loss. */
    stop() {
      stopped = true;
    },
  };
  const client = connection.getClient();
  client.on('serverHeartbeatFailed', (event) => watch.failed(event.failure.message));
  client.on('serverHeartbeatSucceeded', () => watch.answered());
  return watch;
}

/**
 * Counts every command, keeps the ones in flight where a stalled job can name them, and adds each
 * one's duration to the request it serves when that request is measured (timing.ts).
 */
function trackCommands(connection: Connection, commands: CommandCounter): void {
  const client = connection.getClient();
  const inFlight = new Map<number, () => void>();
  const timer = commandTimer();
  client.on('commandStarted', (event) => {
    commands.record(event.commandName);
    noteCommandStarted(event.commandName);
    if (DRIVER_COMMANDS.has(event.commandName)) return;
    timer.started(event.requestId);
    const target = event.command[event.commandName] as unknown;
    inFlight.set(event.requestId, beginWait(`${event.commandName} on ${event.databaseName}${typeof target === 'string' ? `.${target}` : ''}`));
  });
  const end = (event: { requestId: number; duration: number }) => {
    inFlight.get(event.requestId)?.();
    inFlight.delete(event.requestId);
    timer.ended(event.requestId, event.duration);
  };
  client.on('commandSucceeded', end);
  client.on('commandFailed', end);
}

/**
 * No operation waits forever: a server that stops answering fails it after the operation
 * timeout (DB_OPERATION_TIMEOUT_MS, default a minute), whether it waits for an answer or for a
 * pooled connection. Long jobs notice a stall sooner, by their own progress (kit/watchdog.ts).
 */
export function operationLimits(env: NodeJS.ProcessEnv = process.env): { socketTimeoutMS: number; waitQueueTimeoutMS: number } {
  const timeoutMs = positiveInteger(env.DB_OPERATION_TIMEOUT_MS, 'DB_OPERATION_TIMEOUT_MS') ?? 60_000;
  return { socketTimeoutMS: timeoutMs, waitQueueTimeoutMS: timeoutMs };
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a whole number of milliseconds above 0, not "${value}"`);
  return number;
}

export type Engine = 'mongodb' | 'ferretdb';
const engines = new WeakMap<object, Engine>();

/** FerretDB says so in buildInfo; its query costs differ (see batching.ts). */
export async function detectEngine(connection: Connection): Promise<Engine> {
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  const engine: Engine = 'ferretdbVersion' in info ? 'ferretdb' : 'mongodb';
  engines.set(connection, engine);
  return engine;
}

export function engineOf(connection: Connection): Engine {
  return engines.get(connection) ?? 'mongodb';
}

/** A database that takes longer than this to answer a ping is not ready. */
export const READY_PROBE_TIMEOUT_MS = 2_000;

/**
 * Why the server did not answer a ping within READY_PROBE_TIMEOUT_MS, or undefined when it did.
 * While it is away, the ping's wait for a server also makes the driver look for it again at once.
 */
async function pingFailure(connection: Connection): Promise<string | undefined> {
  if (!connection.db) return 'the connection is closed';
  try {
    await connection.db.command({ ping: 1 }, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
