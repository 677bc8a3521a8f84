// A subgraph in a process of its own, started from its start file as npm start starts it, that
// a test can kill -9 and start again, on the same port and database, as a supervisor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { subgraphEntry } from '../../subgraphs/registry';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const READY_WITHIN_MS = 60_000;

export interface SubgraphProcessOptions {
  port: number;
  /** The server it connects to; its database is `<databasePrefix>_<name>`. */
  mongoUri: string;
  databasePrefix: string;
  /** Where its trust is: the gateway's public key, the local issuer's keys (kit/auth/trust.ts). */
  authDir: string;
}

export interface SubgraphProcess {
  /** Its GraphQL endpoint. */
  url: string;
  /** SIGKILL: no drain, no shutdown hook, nothing flushed. Resolves once the process is gone. */
  kill(): Promise<void>;
}

export async function startSubgraphProcess(name: string, options: SubgraphProcessOptions): Promise<SubgraphProcess> {
  const prefix = name.toUpperCase();
  const child = spawn(process.execPath, ['--import', 'tsx', subgraphEntry(name).entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      MONGODB_URI: options.mongoUri,
      MONGODB_DB_PREFIX: options.databasePrefix,
      AUTH_DIR: options.authDir,
      [`${prefix}_HOST`]: '127.0.0.1',
      [`${prefix}_PORT`]: String(options.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const base = `http://127.0.0.1:${options.port}`;
  await untilReady(base, child, () => output);
  return {
    url: `${base}/graphql`,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Ready once its /readyz says the database answers; a process that exits first fails with what it printed. */
async function untilReady(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The subgraph exited before it was ready:\n${output()}`);
    const ready = await fetch(`${base}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`The subgraph was not ready within ${READY_WITHIN_MS / 1000} s:\n${output()}`);
}

/** A port nothing listens on now, to start a subgraph on, and again on after it was killed. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}
