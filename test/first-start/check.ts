// `npm run test:first-start`: what a new user does, as a check CI runs. `npm start` on an empty
// data directory, at full demo size, until the platform is up and the risk setup is done; the
// contract operations through the gateway; `kill -9` of the licences subgraph, which npm start must
// bring back by itself while the rest of the graph keeps answering; Ctrl-C. Then a second start on the same data (how long
// until it is up), stopped with SIGTERM, and a third, killed with `kill -9` of npm. After each
// stop, nothing of the platform may be left: not the engine, not PostgreSQL, not a subgraph.
// A passing `npm test` on small data once hid an engine deadlock that made every first start
// hang: this is the test that would have caught it. START_SCRIPT=start:prod runs the same check
// on the production build (npm run build, then npm prune --omit=dev), as .ci/run does last.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { temporaryDataDir } from '../../db/engine';
import { SUBGRAPHS } from '../../subgraphs/registry';
import { contractOperation, contractOperationNames } from '../support/contract';
import { CONTRACT_VARIABLES } from '../support/demo-identifiers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY = 'http://127.0.0.1:4000/graphql';
const READY_LINE = 'Customs risk graph is up.';
const RISK_DONE_LINE = 'risk setup done';
/** What npm start says when it starts a child again (scripts/supervisor.ts). */
const RESTART_LINE = /(\S+) exited \((.+?)\) after .*; restarting it in /;
/** The subgraph killed under load, and operations that need it and that don't (the showcase). */
const KILLED_SUBGRAPH = 'licences';
const NEEDS_KILLED = 'DeclarationCheck';
const WITHOUT_KILLED = 'ConsignmentScreen';
/** Long enough for a restart from the sources (tsx) on a busy 2-core machine, the backoff and the gateway's circuit breaker. */
const RECOVERY_LIMIT_MS = 120_000;
/** The npm script under check: `start` (from the sources) or `start:prod` (from dist/). */
const START_ARGS = (process.env.START_SCRIPT ?? 'start') === 'start' ? ['start'] : ['run', process.env.START_SCRIPT!];
/** CI allows 90 minutes for everything; a first start that takes a third of that is broken. */
const FIRST_START_LIMIT_MS = Number(process.env.FIRST_START_LIMIT_MS ?? 30 * 60_000);

/** Stops whatever this check started; set once npm start runs. */
let cleanUp = () => {};

function fail(message: string): never {
  cleanUp();
  console.error(`\nfirst start check FAILED: ${message}`);
  process.exit(1);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Every process below `root`, from `ps`. */
function descendants(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of rows) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Running, that is: a zombie has exited and only waits for a parent that reaps (in a container, pid 1 may never). */
function alive(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .startsWith('Z');
  } catch {
    return false;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

interface RunningStart {
  child: ChildProcess;
  started: number;
  seen: { ready: number; riskDone: number; riskFailed: string; restarts: string[] };
  exitCode: () => number | null | undefined;
  exited: Promise<void>;
}

/** `npm start` on this data directory, in its own process group, its output echoed and watched. */
function npmStart(dataDir: string): RunningStart {
  // Its own process group, so Ctrl-C can be sent the way a terminal sends it: to the whole group.
  const child = spawn('npm', START_ARGS, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((done) => child.once('exit', (code) => ((exitCode = code), done())));
  const seen = { ready: 0, riskDone: 0, riskFailed: '', restarts: [] as string[] };
  const onLine = (line: string) => {
    console.log(`  │ ${line}`);
    if (line.includes(READY_LINE)) seen.ready ||= Date.now();
    if (line.includes(RISK_DONE_LINE)) seen.riskDone ||= Date.now();
    if (line.includes('risk setup failed')) seen.riskFailed = line;
    if (RESTART_LINE.test(line)) seen.restarts.push(line);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split(/\r|\n/);
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
  }
  cleanUp = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, started: Date.now(), seen, exitCode: () => exitCode, exited };
}

async function until(run: RunningStart, done: () => boolean, what: string): Promise<void> {
  while (!done()) {
    if (run.exitCode() !== undefined) fail(`npm start exited (code ${run.exitCode()}) before ${what}`);
    if (run.seen.riskFailed) fail(run.seen.riskFailed);
    if (Date.now() - run.started > FIRST_START_LIMIT_MS) fail(`npm start did not reach ${what} within ${seconds(FIRST_START_LIMIT_MS)}`);
    await new Promise((wait) => setTimeout(wait, 500));
  }
}

/** A token as the README gets one: `npm run token -- --as commission`, from the new data directory's local issuer. */
function demoToken(dataDir: string): string {
  return execFileSync('npm', ['run', '-s', 'token', '--', '--as', 'commission'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  }).trim();
}

async function refusesAnonymousCallers(): Promise<void> {
  const response = await fetch(GATEWAY, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  if (response.status !== 401) fail(`an anonymous request was answered with HTTP ${response.status}, not 401`);
  console.log('first start check: an anonymous request is refused with 401');
}

/** A contract operation with its demo variables through the gateway; the answer's fault, if it has one. */
async function askContractOperation(name: string, token: string): Promise<{ fault?: string }> {
  const variables = CONTRACT_VARIABLES[name];
  if (!variables) fail(`no demo variables for the contract operation ${name} (test/support/demo-identifiers.ts)`);
  const response = await fetch(GATEWAY, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: contractOperation(name), variables, operationName: name }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  const root = body.data ? Object.values(body.data)[0] : undefined;
  if (body.errors?.length || root === null || root === undefined)
    return { fault: `${name} ${JSON.stringify(variables)} answered ${JSON.stringify(body).slice(0, 2_000)}` };
  return {};
}

async function answersContractOperation(name: string, token: string): Promise<void> {
  const { fault } = await askContractOperation(name, token);
  if (fault) fail(fault);
  console.log(`first start check: ${name} ${JSON.stringify(CONTRACT_VARIABLES[name])} answered with data and no errors`);
}

/** The process of one subgraph below npm start (subgraphs/<name>/index.ts, or .js from dist/), from /proc. */
function subgraphProcess(run: RunningStart, name: string): number | undefined {
  const startFile = new RegExp(`(^|/)subgraphs/${name}/index\\.[jt]s$`);
  const found = descendants(run.child.pid!).filter((pid) => {
    try {
      // NUL-separated arguments: node, maybe --import tsx, then the start file.
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .some((arg) => startFile.test(arg));
    } catch {
      return false; // gone meanwhile
    }
  });
  const running = found.filter(alive);
  if (running.length > 1) fail(`${running.length} processes of the ${name} subgraph run below npm start: ${running.join(', ')}`);
  return running[0];
}

/**
 * kill -9 of one subgraph under load: npm start starts it again by itself and says so, the
 * operations that need it answer in full once it is back, and one that does not need it keeps
 * answering in full all along (the gateway gives partial answers, never a failed operation).
 */
async function survivesKillOfSubgraph(run: RunningStart, token: string): Promise<number> {
  const killed = subgraphProcess(run, KILLED_SUBGRAPH);
  if (killed === undefined) fail(`no process of the ${KILLED_SUBGRAPH} subgraph found below npm start (pid ${run.child.pid})`);
  let loaded = true;
  let answeredMeanwhile = 0;
  const clients = Array.from({ length: 4 }, async () => {
    while (loaded) {
      const { fault } = await askContractOperation(WITHOUT_KILLED, token).catch((error: unknown) => ({ fault: `${WITHOUT_KILLED} failed: ${String(error)}` }));
      if (fault) fail(`while the ${KILLED_SUBGRAPH} subgraph was killed and restarted, ${fault}`);
      answeredMeanwhile++;
    }
  });
  const killedAt = Date.now();
  process.kill(killed, 'SIGKILL');
  console.log(`first start check: kill -9 of the ${KILLED_SUBGRAPH} subgraph (pid ${killed}), with ${clients.length} clients asking ${WITHOUT_KILLED}`);

  let restarted: number | undefined;
  let lastFault = 'no answer yet';
  for (;;) {
    if (run.exitCode() !== undefined) fail(`npm start exited (code ${run.exitCode()}) after kill -9 of the ${KILLED_SUBGRAPH} subgraph`);
    if (Date.now() - killedAt > RECOVERY_LIMIT_MS)
      fail(
        restarted === undefined
          ? `the ${KILLED_SUBGRAPH} subgraph was not started again within ${seconds(RECOVERY_LIMIT_MS)} of kill -9`
          : `${NEEDS_KILLED} did not answer in full within ${seconds(RECOVERY_LIMIT_MS)} of kill -9 of the ${KILLED_SUBGRAPH} subgraph; last: ${lastFault}`,
      );
    const current = subgraphProcess(run, KILLED_SUBGRAPH);
    if (current !== undefined && current !== killed) restarted = current;
    if (restarted !== undefined) {
      const { fault } = await askContractOperation(NEEDS_KILLED, token).catch((error: unknown) => ({ fault: String(error) }));
      if (!fault) break;
      lastFault = fault;
    }
    await new Promise((wait) => setTimeout(wait, 500));
  }
  const recoveredAfter = Date.now() - killedAt;
  loaded = false;
  await Promise.all(clients);

  const said = run.seen.restarts.filter((line) => RESTART_LINE.exec(line)?.[1] === KILLED_SUBGRAPH);
  if (!said.some((line) => line.includes('(signal SIGKILL)')))
    fail(`npm start restarted the ${KILLED_SUBGRAPH} subgraph without a line saying it was killed: ${JSON.stringify(said)}`);
  const others = run.seen.restarts.filter((line) => RESTART_LINE.exec(line)?.[1] !== KILLED_SUBGRAPH);
  if (others.length > 0) fail(`children that should not have exited were restarted: ${others.join('; ')}`);
  console.log(
    `first start check: the ${KILLED_SUBGRAPH} subgraph was started again (pid ${restarted}) and ${NEEDS_KILLED} answered in full ` +
      `${seconds(recoveredAfter)} after kill -9; ${WITHOUT_KILLED} answered ${answeredMeanwhile} times in full meanwhile`,
  );
  return recoveredAfter;
}

/** Stops the platform the way `how` says, and fails unless every one of its processes is gone. */
async function stopAndCheckNothingLeft(run: RunningStart, how: 'Ctrl-C' | 'SIGTERM' | 'kill -9'): Promise<number> {
  const platform = [run.child.pid!, ...descendants(run.child.pid!)];
  if (how === 'Ctrl-C') process.kill(-run.child.pid!, 'SIGINT');
  else process.kill(run.child.pid!, how === 'SIGTERM' ? 'SIGTERM' : 'SIGKILL');
  // npm itself may be gone at once (kill -9); what it started must follow within this time.
  const deadline = Date.now() + 60_000;
  let left = platform.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 500));
    left = platform.filter(alive);
  }
  if (left.length > 0)
    fail(`processes left running 60 s after ${how} of npm start: ${execFileSync('ps', ['-o', 'pid=,args=', '-p', left.join(',')], { encoding: 'utf8' })}`);
  console.log(`first start check: ${how} of npm start left none of its ${platform.length} processes behind`);
  return platform.length;
}

async function main(): Promise<void> {
  const ports = [4000, ...SUBGRAPHS.map((entry) => entry.defaultPort)];
  for (const port of ports) if (!(await portIsFree(port))) fail(`port ${port} is taken: stop the platform that runs there first`);

  const dataDir = temporaryDataDir('first-start-');
  try {
    console.log(`first start check: npm ${START_ARGS.join(' ')} with an empty data directory (${dataDir})`);
    const first = npmStart(dataDir);
    await until(first, () => Boolean(first.seen.riskDone), 'the end of the risk setup');
    if (!first.seen.ready) fail(`the risk setup finished but "${READY_LINE}" was never printed`);
    await refusesAnonymousCallers();
    const token = demoToken(dataDir);
    for (const name of contractOperationNames()) await answersContractOperation(name, token);
    const recoveredAfter = await survivesKillOfSubgraph(first, token);
    await stopAndCheckNothingLeft(first, 'Ctrl-C');

    console.log('first start check: npm start again on the same data, stopped with SIGTERM');
    const second = npmStart(dataDir);
    await until(second, () => Boolean(second.seen.ready), 'ready');
    const secondReady = second.seen.ready - second.started;
    await answersContractOperation('ControlQueue', demoToken(dataDir));
    await stopAndCheckNothingLeft(second, 'SIGTERM');

    console.log('first start check: once more, then kill -9 of npm');
    const third = npmStart(dataDir);
    await until(third, () => Boolean(third.seen.ready), 'ready');
    await stopAndCheckNothingLeft(third, 'kill -9');

    console.log(
      `\nfirst start check passed: up after ${seconds(first.seen.ready - first.started)}, risk setup done after ` +
        `${seconds(first.seen.riskDone - first.started)}; ${contractOperationNames().length} contract operations answered; ` +
        `the ${KILLED_SUBGRAPH} subgraph back ${seconds(recoveredAfter)} after kill -9; ` +
        `a second start was up after ${seconds(secondReady)}; Ctrl-C, SIGTERM and kill -9 each left nothing behind`,
    );
  } finally {
    cleanUp();
  }
}

await main();
