// Starts the database the platform runs on: a configured MongoDB, or the embedded engine
// (FerretDB on a PostgreSQL of its own).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { buildEngine, PROJECT_ROOT } from './build';
import { initCluster, ownedDirectory, postgresAccount, postgresBinaries, postgresSettings, postgresUrl, reachable, type Account } from './postgres';

export interface Database {
  /** A MongoDB connection string without a database name; each subgraph picks its own. */
  uri: string;
  /** True when this process started the engine (and so stops it). */
  embedded: boolean;
  /** Resolves if an engine this process started exits without being asked to. */
  exited?: Promise<string>;
  /** The engine's process, when this process started it: what bench/faults.ts pauses. */
  pid?: number;
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** Where the engine keeps its files; default DATA_DIR or `.data/`. */
  dataDir?: string;
  /** Loopback by default: nothing listens beyond this machine unless configured. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Receives the engine's own log lines. */
  log?: (line: string) => void;
  /** How long to wait for the engine to answer. */
  readyTimeoutMs?: number;
}

/** Uses MONGODB_URI when set; otherwise builds (once) and starts the embedded engine. */
export async function startDatabase(options: StartDatabaseOptions = {}): Promise<Database> {
  const configured = process.env.MONGODB_URI;
  if (configured) return { uri: configured, embedded: false, stop: async () => {} };

  const root = resolve(options.dataDir ?? process.env.DATA_DIR ?? join(PROJECT_ROOT, '.data'));
  const dataDir = join(root, 'engine');
  // One engine per data directory: a second process on it joins the running one.
  const running = await runningEngine(dataDir);
  if (running) return { uri: running, embedded: false, stop: async () => {} };

  const binary = buildEngine(options.log);
  const postgres = await preparePostgres(dataDir, options.log);
  if (existsSync(join(root, 'ferretdb'))) {
    options.log?.(`${join(root, 'ferretdb')} holds data of the earlier SQLite engine, which is no longer read; delete it when you no longer need it.`);
  }
  const host = options.host ?? process.env.ENGINE_HOST ?? '127.0.0.1';
  const port = options.port ?? Number(process.env.ENGINE_PORT ?? 0);

  // A free port can be taken between probing and binding, so try a few.
  for (let attempt = 1; ; attempt++) {
    const chosen = port || (await freePort(host));
    const child = spawnEngine(binary, [`-listen=${host}:${chosen}`, ...postgres.args], options.log);
    const uri = `mongodb://${host}:${chosen}/`;
    try {
      await waitUntilAnswering(uri, child, options.readyTimeoutMs ?? 30_000);
      writeFileSync(join(dataDir, ENGINE_FILE), JSON.stringify({ uri, pid: child.pid }));
      let stopping = false;
      return {
        uri,
        embedded: true,
        pid: child.pid,
        exited: new Promise((done) => child.once('exit', (code, signal) => stopping || done(signal ?? `code ${code}`))),
        stop: async () => {
          stopping = true;
          rmSync(join(dataDir, ENGINE_FILE), { force: true });
          await stopProcess(child);
        },
      };
    } catch (error) {
      await stopProcess(child);
      if (port || attempt >= 3) throw error;
    }
  }
}

const ENGINE_FILE = 'engine.json';

/**
 * Where the cluster lives: in the data directory, unless postgres's account (as root: nobody)
 * cannot reach it, as under root's own 0700 home. Then in a directory of the system's temporary
 * directory named after the data directory, said once per start: kept across starts, but not
 * always across reboots.
 */
function clusterDirectory(dataDir: string, account: Account | undefined, log?: (line: string) => void): string {
  if (reachable(dataDir, account)) return dataDir;
  const fallback = join(tmpdir(), `customs-graph-engine-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  mkdirSync(fallback, { recursive: true, mode: 0o711 });
  // A shared temporary directory: use it only if it is a real directory of this user's.
  const found = lstatSync(fallback);
  if (!found.isDirectory() || found.uid !== process.getuid?.())
    throw new Error(`${fallback} exists and does not belong to this user; remove it or choose another DATA_DIR.`);
  chmodSync(fallback, 0o711);
  if (!reachable(fallback, account)) {
    throw new Error(
      `The embedded PostgreSQL runs as "${account!.name}" (postgres refuses root), which can reach neither ${dataDir} nor ${fallback}.\n` +
        'Give every directory above DATA_DIR search permission (chmod o+x), choose another DATA_DIR, or run as an ordinary user.',
    );
  }
  log?.(
    `The embedded PostgreSQL runs as "${account!.name}" (postgres refuses root), which cannot reach ${dataDir}; ` +
      `its files are in ${fallback} instead, which a reboot may clear. To keep them in DATA_DIR, give the directories above it search permission (chmod o+x), or run as an ordinary user.`,
  );
  return fallback;
}

/** Initialises postgres's directories (once) and returns the wrapper's arguments for them. */
async function preparePostgres(dataDir: string, log?: (line: string) => void): Promise<{ args: string[] }> {
  const binaries = await postgresBinaries();
  const account = postgresAccount();
  mkdirSync(dataDir, { recursive: true });
  const clusterDir = clusterDirectory(dataDir, account, log);
  const pgData = join(clusterDir, 'pg');
  const socketDir = join(clusterDir, 'run');
  if (Buffer.byteLength(join(socketDir, '.s.PGSQL.5432')) > 107) {
    throw new Error(`The data directory's path is too long for a Unix socket (at most about 80 characters): ${clusterDir}`);
  }
  ownedDirectory(socketDir, account);
  if (initCluster(binaries, pgData, account)) log?.(`PostgreSQL cluster created in ${pgData}`);
  return {
    args: [
      `-pg-bin=${binaries.binDir}`,
      `-pg-data=${pgData}`,
      `-pg-url=${postgresUrl(socketDir)}`,
      ...(account ? [`-pg-uid=${account.uid}`, `-pg-gid=${account.gid}`] : []),
      ...postgresSettings(socketDir).map((setting) => `-pg-set=${setting}`),
    ],
  };
}

/** The URI of an engine already serving this data directory, if one answers. */
async function runningEngine(dataDir: string): Promise<string | undefined> {
  let recorded: { uri?: string; pid?: number };
  try {
    recorded = JSON.parse(readFileSync(join(dataDir, ENGINE_FILE), 'utf8')) as typeof recorded;
  } catch {
    return undefined;
  }
  if (!recorded.uri || !recorded.pid || !processExists(recorded.pid)) return undefined;
  const client = new mongoose.mongo.MongoClient(recorded.uri, { serverSelectionTimeoutMS: 1_000, socketTimeoutMS: 2_000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return recorded.uri;
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => {});
  }
}

/** Whether a process with this pid is running (or waits to be reaped). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function spawnEngine(binary: string, args: string[], log?: (line: string) => void): ChildProcess {
  // stdin stays open as a lifeline: the engine exits when it closes, even if this process is killed.
  const child = spawn(binary, [...args, '-exit-on-stdin-close', `-log-level=${process.env.ENGINE_LOG_LEVEL ?? 'error'}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // A group of its own: a terminal's Ctrl-C stops the engine through its owner, after what needs it.
    detached: true,
  });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

async function waitUntilAnswering(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The database engine exited with code ${child.exitCode} at start`);
    const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500, socketTimeoutMS: 2_000 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    } finally {
      await client.close().catch(() => {});
    }
  }
  throw new Error(`The database engine did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

// FerretDB closes its clients, then postgres checkpoints: a few seconds, more after heavy writes.
async function stopProcess(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * A new, empty data directory under the system's temporary directory. mkdtemp makes it 0700;
 * this opens it for search (not listing), so postgres's account can reach its own folder inside.
 */
export function temporaryDataDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}
