// One mongoose connection per subgraph, each in a database of its own.
import mongoose, { type Connection } from 'mongoose';
import { beginWait } from './in-flight';

export interface DatabaseOptions {
  /** Server URI; default MONGODB_URI_<SUBGRAPH>, then MONGODB_URI. */
  uri?: string;
  /** Database name; default the URI's own path, else `<MONGODB_DB_PREFIX or "customs">_<subgraph>`. */
  dbName?: string;
}

export interface SubgraphDatabase {
  connection: Connection;
  /** Counts commands sent to the server, so tests can prove a query's round trips stay flat. */
  commands: CommandCounter;
  close(): Promise<void>;
}

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
    serverSelectionTimeoutMS: 5_000,
    ...operationLimits(),
    // Indexes are created explicitly at start; autoIndex would race with the first queries.
    autoIndex: false,
  });
  trackCommands(connection, commands);
  await connection.asPromise();
  await detectEngine(connection);
  return { connection, commands, close: () => connection.close() };
}

/** Counts every command, and keeps the ones in flight where a stalled job can name them. */
function trackCommands(connection: Connection, commands: CommandCounter): void {
  const client = connection.getClient();
  const inFlight = new Map<number, () => void>();
  client.on('commandStarted', (event) => {
    commands.record(event.commandName);
    if (DRIVER_COMMANDS.has(event.commandName)) return;
    const target = event.command[event.commandName] as unknown;
    inFlight.set(event.requestId, beginWait(`${event.commandName} on ${event.databaseName}${typeof target === 'string' ? `.${target}` : ''}`));
  });
  const end = (event: { requestId: number }) => {
    inFlight.get(event.requestId)?.();
    inFlight.delete(event.requestId);
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

/** Readiness: the server answers a ping. */
export async function isDatabaseReachable(connection: Connection): Promise<boolean> {
  try {
    await connection.db?.admin().ping();
    return connection.readyState === 1;
  } catch {
    return false;
  }
}
