// What the gateway itself costs: the five contract operations, under load, through
//   - the platform's gateway (gateway/index.ts, as npm start runs it) over the subgraph processes;
//   - a monolith: the same gateway over every subgraph's schema and resolvers in its own process,
//     with no HTTP between them (bench/federation-monolith.ts), on the same databases;
//   - Hive Gateway (@graphql-hive/gateway's CLI) on the same supergraph and subgraph processes,
// each a process of its own, on the full demo data after the risk first setup, as npm start
// leaves it. Per operation, concurrency and server: req/s, p50, p99, errors, the subgraph requests
// one operation makes (each subgraph's /metrics, before and after one request), and the ratio to
// the monolith. Nothing is asserted: it measures.
//
//   npx tsx bench/federation.ts [--duration 8] [--warmup 1] [--concurrency 1,4,16] [--kcs-rows N]
//
// --kcs-rows loads only the first N declarations of the KCS train split: for a quick look, not
// for the table (the contract operations' identifiers are in the first rows).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ROLE_SCOPES, type Caller } from '../subgraphs/kit/auth/roles';
import { contractOperation, contractOperationNames } from '../test/support/contract';
import { CONTRACT_VARIABLES } from '../test/support/demo-identifiers';
import { startFaultRig, type FaultRig } from './fault-rig';
import { platformGateway, startHiveGateway, startMonolith, type Server, type ServerName } from './federation-servers';
import { formatCount, formatLatency, formatRatio, numberFlag, printTable } from './support';

const durationSeconds = numberFlag('duration', 8);
const warmupSeconds = numberFlag('warmup', 1);
const concurrencies = numberListFlag('concurrency', [1, 4, 16]);
const kcsRows = process.argv.some((arg) => arg.startsWith('--kcs-rows')) ? numberFlag('kcs-rows', 1) : undefined;

const CALLER: Caller = { id: 'bench-federation', role: 'service', scopes: ROLE_SCOPES.service };
const SERVER_ORDER: readonly ServerName[] = ['platform gateway', 'monolith', 'Hive Gateway'];

interface Operation {
  name: string;
  body: string;
}

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: unknown } }[];
}

/** What one request of an operation cost the subgraphs, and what it answered. */
interface Calibration {
  subgraphRequests: Record<string, number>;
  answer: Answer;
  problem?: string;
}

interface Cell {
  server: ServerName;
  operation: string;
  connections: number;
  ok: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

const log = (line: string) => process.stderr.write(`federation │ ${line}\n`);
const machine = () =>
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ')} (1 / 5 / 15 min) on ${availableParallelism()} cores`;

const operations: Operation[] = contractOperationNames().map((name) => ({
  name,
  body: JSON.stringify({ query: contractOperation(name), operationName: name, variables: CONTRACT_VARIABLES[name] }),
}));

const startedAt = Date.now();
console.log(`Federation benchmark, ${new Date().toISOString()}: ${machine()}, Node ${process.version}`);
const scratch = mkdtempSync(join(tmpdir(), 'customs-bench-federation-'));
let rig: FaultRig | undefined;
try {
  log(
    `starting the engine, every subgraph and the gateway as processes; loading the demo data (${kcsRows ? `${kcsRows} KCS rows` : 'the whole KCS train split'}), then the risk first setup`,
  );
  rig = await startFaultRig({ kcsRows, riskSetup: true, log });
  const setupSeconds = (Date.now() - startedAt) / 1000;
  const servers = new Map<ServerName, Server>();
  for (const server of [await platformGateway(rig, CALLER), await startMonolith(rig, CALLER), await startHiveGateway(rig, CALLER, scratch)])
    servers.set(server.name, server);
  log(`ready after ${Math.round(setupSeconds)} s; ${machine()}`);

  const calibrations = new Map<string, Calibration>();
  for (const operation of operations)
    for (const server of servers.values()) {
      const calibration = await calibrate(rig, server, operation);
      calibrations.set(key(server.name, operation.name), calibration);
      if (calibration.problem) log(`CHECK FAILED: ${server.name}, ${operation.name}: ${calibration.problem}`);
    }

  const cellsTotal = operations.length * concurrencies.length * servers.size;
  log(
    `${cellsTotal} runs of ${warmupSeconds} s warm-up + ${durationSeconds} s measured: about ${Math.ceil((cellsTotal * (warmupSeconds + durationSeconds)) / 60)} min`,
  );
  const cells: Cell[] = [];
  for (const operation of operations)
    for (const connections of concurrencies) {
      // The servers take turns, in a rotating order, so that none always runs on a machine the previous one warmed.
      const turn = cells.length / servers.size;
      const order = SERVER_ORDER.map((_, index) => SERVER_ORDER[(index + turn) % SERVER_ORDER.length]!);
      for (const name of order) {
        const cell = await load(servers.get(name)!, operation, connections);
        cells.push(cell);
        log(`${operation.name} ×${connections} ${name}: ${formatCount(cell.ok / cell.seconds)} req/s, p50 ${formatLatency(cell.p50)}, ${cell.errors} errors`);
      }
    }

  console.log(
    `\nDemo data: ${kcsRows ? `the first ${kcsRows} rows of` : 'the whole'} KCS train split and the generated operators, ENS, licences and MRA data (scripts/seed.ts), risk first setup done; ` +
      `set up in ${Math.round(setupSeconds)} s on ${process.env.MONGODB_URI ? 'the server of MONGODB_URI' : 'embedded FerretDB on PostgreSQL (db/engine.ts)'}. ` +
      `Each run ${warmupSeconds} s warm-up, then ${durationSeconds} s measured (autocannon, keep-alive connections).\n`,
  );
  printTable(
    ['server', 'operation', 'concurrency', 'req/s', 'p50', 'p99', 'errors', 'subgraph requests/op', 'ratio to monolith'],
    [...cells].sort(byRow).map((cell) => {
      const monolith = cells.find((other) => other.server === 'monolith' && other.operation === cell.operation && other.connections === cell.connections)!;
      return [
        cell.server,
        cell.operation,
        String(cell.connections),
        formatRate(cell.ok / cell.seconds),
        formatLatency(cell.p50),
        formatLatency(cell.p99),
        formatCount(cell.errors),
        formatCount(total(calibrations.get(key(cell.server, cell.operation))!.subgraphRequests)),
        formatRatio(cell.ok / cell.seconds / (monolith.ok / monolith.seconds)),
      ];
    }),
  );

  console.log('\nAt the best concurrency of each server:\n');
  printTable(
    ['operation', 'platform gateway', 'monolith', 'Hive Gateway', 'platform ÷ monolith', 'platform ÷ Hive'],
    operations.map((operation) => {
      const best = (server: ServerName) =>
        cells.filter((cell) => cell.server === server && cell.operation === operation.name).reduce((a, b) => (b.ok / b.seconds > a.ok / a.seconds ? b : a));
      const [platform, monolith, hive] = SERVER_ORDER.map(best) as [Cell, Cell, Cell];
      const rate = (cell: Cell) => cell.ok / cell.seconds;
      const describe = (cell: Cell) => `${formatRate(rate(cell))} (×${cell.connections})`;
      return [
        operation.name,
        describe(platform),
        describe(monolith),
        describe(hive),
        formatRatio(rate(platform) / rate(monolith)),
        formatRatio(rate(platform) / rate(hive)),
      ];
    }),
  );

  console.log('\nSubgraph requests of one operation (each subgraph /metrics, before and after it):\n');
  printTable(
    ['operation', ...SERVER_ORDER],
    operations.map((operation) => [
      operation.name,
      ...SERVER_ORDER.map((server) => describeRequests(calibrations.get(key(server, operation.name))!.subgraphRequests)),
    ]),
  );
  const monolithAnswers = (operation: string) => canonical(calibrations.get(key('monolith', operation))!.answer.data);
  const unlike = operations.flatMap((operation) =>
    SERVER_ORDER.filter((server) => canonical(calibrations.get(key(server, operation.name))!.answer.data) !== monolithAnswers(operation.name)).map(
      (server) => `${server} on ${operation.name}`,
    ),
  );
  const failed = [...calibrations].filter(([, calibration]) => calibration.problem).map(([name]) => name);
  console.log(
    `\nAnswers checked: every one of the load for HTTP 200 with data and no errors ("errors" counts the rest, and connection errors); ` +
      `before the load, one answer of each server to each operation against the monolith's: ${unlike.length === 0 ? 'the same data everywhere' : `DIFFERENT for ${unlike.join(', ')}`}` +
      `${failed.length > 0 ? `; FAILED checks: ${failed.join(', ')}` : ''}.`,
  );
  console.log(`\nAt the end (${Math.round((Date.now() - startedAt) / 1000)} s in all): ${machine()}`);
} finally {
  await rig?.stop().catch((error: unknown) => console.error('stopping the platform:', error));
  rmSync(scratch, { recursive: true, force: true });
}

/** Two requests to warm up (plan, connections, JIT), then one counted at every subgraph. */
async function calibrate(rig: FaultRig, server: Server, operation: Operation): Promise<Calibration> {
  for (let warm = 0; warm < 2; warm++) await ask(server, operation);
  const before = await subgraphRequests(rig);
  const { status, answer } = await ask(server, operation);
  const after = await subgraphRequests(rig);
  const counted = Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]));
  const problem = status !== 200 ? `HTTP ${status}` : answer.errors?.length ? JSON.stringify(answer.errors).slice(0, 300) : answer.data ? undefined : 'no data';
  return { subgraphRequests: counted, answer, ...(problem && { problem }) };
}

async function ask(server: Server, operation: Operation): Promise<{ status: number; answer: Answer }> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: await server.authorization() },
    body: operation.body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, answer: (await response.json().catch(() => ({}))) as Answer };
}

/** graphql_requests_total of every subgraph process, from its /metrics (Prometheus text). */
async function subgraphRequests(rig: FaultRig): Promise<Record<string, number>> {
  const counts = await Promise.all(
    Object.entries(rig.subgraphUrls).map(async ([name, url]) => {
      const text = await (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(5_000) })).text();
      const match = /^graphql_requests_total\{[^}]*\} (\d+)$/m.exec(text);
      if (!match) throw new Error(`the ${name} subgraph's /metrics has no graphql_requests_total`);
      return [name, Number(match[1])] as const;
    }),
  );
  return Object.fromEntries(counts);
}

/** A warm-up run, then the measured one; every answer is read. */
async function load(server: Server, operation: Operation, connections: number): Promise<Cell> {
  const run = async (seconds: number) => {
    let ok = 0;
    let failed = 0;
    const onResponse = (status: number, body: string) => {
      if (status === 200 && isWhole(body)) ok += 1;
      else failed += 1;
    };
    const headers = { 'content-type': 'application/json', authorization: await server.authorization() };
    const result = await autocannon({
      url: server.graphqlUrl,
      connections,
      duration: seconds,
      requests: [{ method: 'POST', headers, body: operation.body, onResponse }],
    });
    return { ok, errors: failed + result.errors, seconds: result.duration, p50: result.latency.p50, p99: result.latency.p99 };
  };
  await run(warmupSeconds);
  return { server: server.name, operation: operation.name, connections, ...(await run(durationSeconds)) };
}

function isWhole(body: string): boolean {
  try {
    const answer = JSON.parse(body) as Answer;
    return Boolean(answer.data) && !answer.errors?.length;
  } catch {
    return false;
  }
}

/** Rows by operation, then concurrency, then server, whatever order they ran in. */
function byRow(a: Cell, b: Cell): number {
  const position = (cell: Cell) => [
    operations.findIndex((operation) => operation.name === cell.operation),
    cell.connections,
    SERVER_ORDER.indexOf(cell.server),
  ];
  const [pa, pb] = [position(a), position(b)];
  return pa[0]! - pb[0]! || pa[1]! - pb[1]! || pa[2]! - pb[2]!;
}

function key(server: ServerName, operation: string): string {
  return `${server}, ${operation}`;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function describeRequests(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`);
  return parts.length > 0 ? `${total(counts)}: ${parts.join(', ')}` : '0';
}

function formatRate(perSecond: number): string {
  return perSecond < 100 ? perSecond.toFixed(1) : formatCount(perSecond);
}

/** JSON with its keys sorted: answers compared for their data, not their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** Positive whole numbers from `--name 1,4,16` or `--name=1,4,16`, else the default. */
function numberListFlag(name: string, fallback: number[]): number[] {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return fallback;
  const arg = args[index]!;
  const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[index + 1] ?? '');
  const values = raw.split(',').map(Number);
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
    console.error(`--${name} must be positive whole numbers separated by commas, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return values;
}
