// `npm start`: the embedded database, every subgraph and the gateway, in one terminal.
// Ctrl-C stops them all, the engine last.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { EngineUnavailableError } from '../db/build';
import { processExists, startDatabase, type Database } from '../db/engine';
import { PostgresUnavailableError } from '../db/postgres';
import { isExplorerBuilt } from '../gateway/explorer/serve';
import { SUBGRAPHS, subgraphUrl } from '../subgraphs/registry';
import { authDirectory, ensureLocalKeys, explorerSignInUrl, trustFromEnv } from '../subgraphs/kit/auth/trust';
import { PARENT_LIFELINE } from '../subgraphs/kit/http';
import { StalledError } from '../subgraphs/kit/watchdog';
import { runRiskJob } from './risk/services';
import { seedDemoData } from './seed';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Run from dist/ (npm run start:prod): the children are compiled JavaScript too, and need no tsx. */
const COMPILED = fileURLToPath(import.meta.url).endsWith('.js');
const COLOURS = [36, 35, 33, 32, 34, 31];
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

function logger(name: string, index: number): (line: string) => void {
  const label = name.padEnd(12);
  const prefix = useColour ? `\x1b[${COLOURS[index % COLOURS.length]}m${label}\x1b[0m│ ` : `${label}│ `;
  return (line) => console.log(prefix + line);
}

const say = logger('start', 0);
const children = new Map<string, ChildProcess>();
let database: Database | undefined;
let stopping = false;

function run(name: string, index: number, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const log = logger(name, index);
  const child = spawn(process.execPath, COMPILED ? [entry.replace(/\.ts$/, '.js')] : ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, [PARENT_LIFELINE]: 'stdin' },
    // stdin stays open as a lifeline: the child stops when it closes, even if this process is killed.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.trim())
      .forEach(log);
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    }
  });
  children.set(name, child);
  return child;
}

async function waitUntilReady(name: string, graphqlUrl: string, timeoutMs = 60_000): Promise<void> {
  const readyz = new URL('/readyz', graphqlUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(readyz, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${name} was not ready at ${readyz} within ${timeoutMs / 1000} s`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((done) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await database?.stop();
  say('stopped');
  process.exit(code);
}

/**
 * npm runs this under `sh -c`, and neither passes on a SIGKILL of npm: poll the launcher (the
 * first ancestor that is not a shell) and stop when it is gone, as after Ctrl-C.
 */
function stopWithLauncher(): void {
  const launcher = launcherPid();
  if (launcher === undefined) return;
  setInterval(() => {
    if (!processExists(launcher)) void shutdown(0);
  }, 1_000).unref();
}

/** Linux only (/proc); elsewhere undefined, and the platform stops on signals alone. */
function launcherPid(): number | undefined {
  let pid = process.ppid;
  for (let depth = 0; depth < 3; depth++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // "<pid> (<command>) <state> <ppid> ...": the command may itself contain spaces or parentheses.
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!['sh', 'bash', 'dash'].includes(command)) return pid > 1 ? pid : undefined;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return undefined;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  stopWithLauncher();

  // From the sources, a missing or stale bundle is built (esbuild, a dev dependency); a production build has it.
  if (!COMPILED) await (await import('../gateway/explorer/build')).ensureExplorerBuilt();
  else if (!isExplorerBuilt()) say('the explorer bundle is missing: run npm run build; /graphql works without it');
  database = await startDatabase({ log: logger('database', 1) });
  void database.exited?.then((how) => {
    say(`the database engine exited unexpectedly (${how}); stopping everything`);
    void shutdown(1);
  });
  say(database.embedded ? `embedded FerretDB at ${database.uri}` : `using MONGODB_URI (${database.uri.replace(/\/\/[^@]*@/, '//***@')})`);

  // The local issuer's and the gateway's keys, made on the first start; kept beside the data.
  const authDir = authDirectory();
  if (!process.env.AUTH_JWKS_URL && !process.env.AUTH_JWKS_FILE) await ensureLocalKeys(authDir);
  const env = { MONGODB_URI: database.uri, AUTH_DIR: authDir };
  await Promise.all(
    SUBGRAPHS.map(async (entry, index) => {
      run(entry.name, index + 2, entry.entry, env);
      await waitUntilReady(entry.name, subgraphUrl(entry));
    }),
  );
  // Through the subgraphs that take records, each the only writer of its database.
  await seedDemoData({ onlyIfEmpty: true, log: say });
  const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
  const gatewayHost = process.env.GATEWAY_HOST ?? '127.0.0.1';
  const gatewayUrl = `http://${gatewayHost}:${gatewayPort}`;
  run('gateway', SUBGRAPHS.length + 2, 'gateway/index.ts', env);
  await waitUntilReady('gateway', `${gatewayUrl}/graphql`);
  if (stopping) return;

  const { localIssuer } = await trustFromEnv({}, { ...process.env, AUTH_DIR: authDir });
  console.log(`
  Customs risk graph is up.
    GraphQL endpoint  ${gatewayUrl}/graphql   (Authorization: Bearer <token>)
    Explorer          ${explorerSignInUrl(`${gatewayUrl}/`, localIssuer)}
                      (open it in a browser; the link signs you in as a demo identity of your choice)
    A token           ${localIssuer ? 'npm run token -- --as auditor-nl   (README: Who may see what)' : 'from your identity provider (AUTH_JWKS_URL)'}
  Press Ctrl-C to stop.
`);
  await prepareRisk(logger('risk setup', SUBGRAPHS.length + 3));
}

/** What npm start prints when the risk setup is over, first start or not (CI waits for it). */
const RISK_SETUP_DONE = 'risk setup done';

/** The risk subgraph learns and screens on a first start (its job first-setup), in its own process. */
async function prepareRisk(log: (line: string) => void): Promise<void> {
  const started = Date.now();
  try {
    await runRiskJob<unknown, { line: string }>('first-setup', {}, { callerId: 'npm start', onProgress: ({ line }) => log(line) });
    log(`${RISK_SETUP_DONE} in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    if (stopping) return;
    // A stalled engine or graph serves nobody: stop, and say where it stuck.
    if (error instanceof StalledError) throw error;
    log(`risk setup failed: ${(error as Error).message}; run npm run risk:learn and npm run screen once the platform is up`);
  }
}

main().catch(async (error: unknown) => {
  // Errors that say what to do are printed as sentences, not stack traces.
  if (error instanceof EngineUnavailableError || error instanceof PostgresUnavailableError || error instanceof StalledError)
    console.error(`\n${error.message}\n`);
  else console.error(error);
  await shutdown(1);
});
