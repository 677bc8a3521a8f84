// `npm start`: the embedded database, every subgraph and the gateway, in one terminal. A subgraph
// or the gateway that exits is started again (scripts/supervisor.ts); the engine exiting stops
// everything. Ctrl-C stops them all: the gateway first, so it can finish what it is answering, the
// engine last.
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
import { requestTimeoutFromEnv } from '../subgraphs/kit/request-deadline';
import { StalledError } from '../subgraphs/kit/watchdog';
import { runRiskJob } from './risk/services';
import { seedDemoData } from './seed';
import { supervise, type Supervisor } from './supervisor';

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
const supervisors = new Map<string, Supervisor>();
let database: Database | undefined;
/** Aborted once the platform stops: from then on no child is restarted. */
const stopping = new AbortController();

/** Starts a child under supervision: restarted, with the same environment and lifeline, whenever it exits before shutdown. */
function run(name: string, index: number, entry: string, env: NodeJS.ProcessEnv): Supervisor {
  const log = logger(name, index);
  const forward = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.trim())
      .forEach(log);
  const supervisor = supervise({
    name,
    command: process.execPath,
    args: COMPILED ? [entry.replace(/\.ts$/, '.js')] : ['--import', 'tsx', entry],
    spawnOptions: {
      cwd: ROOT,
      env: { ...process.env, ...env, [PARENT_LIFELINE]: 'stdin' },
      // stdin stays open as a lifeline: the child stops when it closes, even if this process is killed.
      stdio: ['pipe', 'pipe', 'pipe'],
      // A group of its own: a terminal's Ctrl-C reaches this process alone, which stops the
      // children in order (the gateway, the subgraphs, the engine last) instead of all at once.
      detached: true,
    },
    onSpawn: (child) => {
      child.stdout?.on('data', forward);
      child.stderr?.on('data', forward);
    },
    log: say,
    signal: stopping.signal,
  });
  supervisors.set(name, supervisor);
  return supervisor;
}

/**
 * Waits as long as it takes: the supervisor keeps starting a child that exits, and the platform
 * serves meanwhile. Every 30 s a line says who is still awaited, and how it last exited.
 */
async function waitUntilReady(
  supervisor: Supervisor,
  graphqlUrl: string,
  isReady: (response: Response) => Promise<boolean> = async (response) => response.ok,
): Promise<void> {
  const readyz = new URL('/readyz', graphqlUrl);
  let nextNotice = Date.now() + 30_000;
  while (!stopping.signal.aborted) {
    try {
      if (await isReady(await fetch(readyz, { signal: AbortSignal.timeout(1_000) }))) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > nextNotice) {
      nextNotice += 30_000;
      const exits = supervisor.lastExit ? ` (it exited ${supervisor.exits} times, last with ${supervisor.lastExit})` : '';
      say(`still waiting for ${supervisor.name} to be ready at ${readyz}${exits}`);
    }
    await sleep(200);
  }
}

/**
 * How long a child may take to stop before it is killed: longer than a subgraph's drain (5 s) and
 * its longest request (REQUEST_TIMEOUT_MS), so that a mutation in flight finishes.
 */
const STOP_GRACE_MS = requestTimeoutFromEnv(30_000) + 15_000;

async function shutdown(code: number): Promise<void> {
  if (stopping.signal.aborted) return;
  stopping.abort();
  say('stopping...');
  // The gateway first: the requests it is still answering need the subgraphs.
  const gateway = supervisors.get('gateway');
  await gateway?.stop(STOP_GRACE_MS);
  await Promise.all([...supervisors.values()].filter((supervisor) => supervisor !== gateway).map((supervisor) => supervisor.stop(STOP_GRACE_MS)));
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
  if (!COMPILED) {
    await (await import('../gateway/explorer/build')).ensureExplorerBuilt();
    await (await import('../gateway/dashboard/build')).ensureDashboardBuilt();
  } else if (!isExplorerBuilt()) say('the explorer bundle is missing: run npm run build; /graphql works without it');
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
  const subgraphs = SUBGRAPHS.map((entry, index) => ({ entry, supervisor: run(entry.name, index + 2, entry.entry, env) }));
  // The gateway loads a static supergraph: it serves whatever part of the graph is up, so it does not wait for the subgraphs.
  const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
  const gatewayHost = process.env.GATEWAY_HOST ?? '127.0.0.1';
  const gatewayUrl = `http://${gatewayHost}:${gatewayPort}`;
  const gateway = run('gateway', SUBGRAPHS.length + 2, 'gateway/index.ts', env);
  // The demo data goes through every subgraph's ingest endpoint (each the only writer of its database): they must be up.
  await Promise.all(subgraphs.map(({ entry, supervisor }) => waitUntilReady(supervisor, subgraphUrl(entry))));
  if (stopping.signal.aborted) return;
  await seedDemoData({ onlyIfEmpty: true, log: say });
  // Its /readyz says ok once it sees every subgraph ready, and closes the circuit of one it skipped
  // (one that failed requests while it started): "up" means answering whole.
  await waitUntilReady(gateway, `${gatewayUrl}/graphql`, async (response) => response.ok && ((await response.json()) as { status?: string }).status === 'ok');
  if (stopping.signal.aborted) return;

  const { localIssuer } = await trustFromEnv({}, { ...process.env, AUTH_DIR: authDir });
  console.log(`
  Customs risk graph is up.
    GraphQL endpoint  ${gatewayUrl}/graphql   (Authorization: Bearer <token>)
    Explorer          ${explorerSignInUrl(`${gatewayUrl}/`, localIssuer)}
                      (open it in a browser; the link signs you in as a demo identity of your choice)
    Dashboard         ${explorerSignInUrl(`${gatewayUrl}/dashboard`, localIssuer)}
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
    if (stopping.signal.aborted) return;
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
