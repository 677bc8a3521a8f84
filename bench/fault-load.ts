// Clients that keep asking the contract operations and writing, while phases break parts of the
// platform (fault-rig.ts). Every answer is sorted: whole, partial with every missing part named
// (a SUBGRAPH_* error on it), or failed. Each operation knows the subgraphs its query plan
// touches, so a phase can count what must not notice its fault at all: the operations that do
// not touch the broken part. Acknowledged writes are checked afterwards: none may be missing.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { generateEnsDemoRecords } from '../demo/ens';
import { kcsFileToRecords } from '../demo/kcs';
import { supergraphForGateway } from '../gateway/authorization';
import { SUPERGRAPH_PATH } from '../gateway/supergraph';
import { ROLE_SCOPES, type Caller } from '../subgraphs/kit/auth/roles';
import type { LocalIssuer } from '../subgraphs/kit/auth/trust';
import { TRANSIENT_ERROR_CODES } from '../subgraphs/kit/errors';
import { contractOperation } from '../test/support/contract';
import { chedLicence, declaration, mrn } from '../test/support/fixtures';

export type Outcome = 'whole' | 'partial' | 'failed';

interface Request {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The subgraphs its query plan fetches from. */
  touches: ReadonlySet<string>;
}

interface Write extends Request {
  /** A query whose answer is non-null once the write is stored. */
  check: { query: string; variables: Record<string, unknown> };
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface PhaseStats {
  phase: string;
  /** The subgraphs (or "engine") this phase breaks. */
  broken: readonly string[];
  requests: number;
  whole: number;
  partial: number;
  failed: number;
  /** Requests of operations that touch nothing broken, and how many of those were not whole. */
  untouched: number;
  untouchedNotWhole: number;
  latenciesMs: number[];
  /** How long the phase lasted, its fault's mending included. */
  elapsedMs: number;
  /** Examples of failed answers, for the report. */
  failures: string[];
  /** The slowest requests: the operation, milliseconds, and the error codes of its answer. */
  slowest: { name: string; ms: number; codes: string[] }[];
}

export interface LoadReport {
  phases: PhaseStats[];
  writesAcknowledged: number;
  /** Writes that were tried again after an answer that named a failing part. */
  writesRetried: number;
  /** Writes never acknowledged, even after retries (not lost: nobody was told they were stored). */
  writesUnacknowledged: number;
  /** Acknowledged writes missing afterwards: must be 0. */
  writesLost: string[];
}

/** Ends a phase's fault, and resolves once the platform has recovered from it. */
export type Mend = () => Promise<void>;

export interface Phase {
  name: string;
  broken: readonly string[];
  durationMs: number;
  /** Breaks something when the phase starts; what it returns mends it when the phase ends. */
  start?: () => Mend | void | Promise<Mend | void>;
}

export interface LoadOptions {
  graphqlUrl: string;
  issuer: LocalIssuer;
  kcsFile: string;
  clients: number;
  phases: Phase[];
  /** One write in this many requests. */
  writeEvery?: number;
  log?: (line: string) => void;
}

const planner = (() => {
  // As the gateway plans: without the security features it enforces itself.
  const supergraph = Supergraph.build(supergraphForGateway(readFileSync(SUPERGRAPH_PATH, 'utf8')));
  const queryPlanner = new QueryPlanner(supergraph);
  return (query: string): Set<string> => {
    const plan = queryPlanner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query), { validate: true }));
    const touched = new Set<string>();
    const visit = (node: PlanNode | SubscriptionNode | undefined): void => {
      if (!node) return;
      if (node.kind === 'Subscription') [node.primary, node.rest].forEach(visit);
      else if (node.kind === 'Defer') [node.primary.node, ...node.deferred.map((deferred) => deferred.node)].forEach(visit);
      else if (node.kind === 'Fetch') touched.add(node.serviceName);
      else if (node.kind === 'Flatten') visit(node.node);
      else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(visit);
      else if (node.kind === 'Condition') [node.ifClause, node.elseClause].forEach(visit);
    };
    visit(plan.node);
    return touched;
  };
})();

/** The contract operations over the rig's demo data, each with several variables. */
export function contractReads(kcsFile: string): Request[] {
  const records = kcsFileToRecords(kcsFile).slice(0, 50);
  const ens = generateEnsDemoRecords().slice(0, 50);
  const read = (name: string, variables: Record<string, unknown>[]) => {
    const query = contractOperation(name);
    const touches = planner(query);
    return variables.map((values) => ({ name, query, variables: values, touches }));
  };
  return [
    ...read(
      'ConsignmentScreen',
      ens.map((filing) => ({ mrn: filing.mrn })),
    ),
    ...read(
      'Trader360',
      records.map(({ declaration: { importer } }) => ({ eori: importer.eori })),
    ),
    ...read(
      'DeclarationCheck',
      records.map(({ declaration: { mrn: value } }) => ({ mrn: value })),
    ),
    ...read(
      'DeclarationRisk',
      records.map(({ declaration: { mrn: value } }) => ({ mrn: value })),
    ),
    ...read('ControlQueue', [{ first: 10, lane: 'RED' }]),
  ];
}

const LODGE = `mutation FaultLoadLodge($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`;
const ISSUE = `mutation FaultLoadIssue($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`;

/** The n-th write: a new declaration or a new licence, each under a natural key of its own, so a retry stores it once. */
function newWrite(n: number, run: number): Write {
  const serial = run * 100_000 + n;
  if (n % 2 === 0) {
    const { kind: _kind, ...input } = declaration(serial);
    const key = mrn(serial, { year: '26' });
    return {
      name: 'lodgeDeclaration',
      query: LODGE,
      variables: { input: { ...input, mrn: key, lrn: `FAULTS-${serial}` } },
      touches: planner(LODGE),
      check: { query: `query ($mrn: ID!) { declaration(mrn: $mrn) { mrn } }`, variables: { mrn: key } },
    };
  }
  const reference = chedLicence(serial % 10_000_000, {}, '2026').reference;
  return {
    name: 'issueLicence',
    query: ISSUE,
    variables: { input: chedLicence(serial % 10_000_000, { validFrom: '2026-01-01' }, '2026') },
    touches: planner(ISSUE),
    check: { query: `query ($reference: ID!) { licence(reference: $reference) { reference } }`, variables: { reference } },
  };
}

function outcomeOf(status: number, answer: Answer | undefined): Outcome {
  if (status !== 200 || !answer) return 'failed';
  if (!answer.errors?.length) return answer.data ? 'whole' : 'failed';
  const named = answer.errors.every((error) => TRANSIENT_ERROR_CODES.has(String(error.extensions?.code)) && typeof error.extensions?.subgraph === 'string');
  return named ? 'partial' : 'failed';
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const caller: Caller = { id: 'fault-load', role: 'service', scopes: ROLE_SCOPES.service };
  const token = await options.issuer.issue(caller, '1h');
  const reads = contractReads(options.kcsFile);
  const writeEvery = options.writeEvery ?? 10;
  const run = Math.floor(Date.now() / 1000) % 10_000;
  let current: PhaseStats | undefined;
  let counter = 0;
  let writes = 0;
  let writesRetried = 0;
  let writesUnacknowledged = 0;
  const acknowledged: Write[] = [];
  let running = true;

  const send = async (request: Request): Promise<{ outcome: Outcome; answer?: Answer }> => {
    const startedIn = current!;
    const started = performance.now();
    let status = 0;
    let answer: Answer | undefined;
    try {
      const response = await fetch(options.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: request.query, variables: request.variables }),
        signal: AbortSignal.timeout(60_000),
      });
      status = response.status;
      answer = (await response.json().catch(() => undefined)) as Answer | undefined;
    } catch (error) {
      answer = { errors: [{ message: (error as Error).message }] };
    }
    const outcome = outcomeOf(status, answer);
    // A request counts in the phase it ended in: a request held up by a fault shows in the fault's phase.
    const phase = current!;
    phase.requests += 1;
    phase[outcome] += 1;
    const ms = performance.now() - started;
    phase.latenciesMs.push(ms);
    if (phase.slowest.length < 3 || ms > phase.slowest.at(-1)!.ms) {
      const codes = [
        ...new Set(
          (answer?.errors ?? []).map(
            (error) => `${String(error.extensions?.code)}${error.extensions?.subgraph ? `@${String(error.extensions.subgraph)}` : ''}`,
          ),
        ),
      ];
      phase.slowest = [...phase.slowest, { name: request.name, ms: Math.round(ms), codes }].sort((a, b) => b.ms - a.ms).slice(0, 3);
    }
    // What was broken at any moment of the request: the phase it started in, and the one it ended in.
    const broken = new Set([...startedIn.broken, ...phase.broken]);
    if (![...request.touches].some((subgraph) => broken.has(subgraph)) && !broken.has('engine')) {
      phase.untouched += 1;
      if (outcome !== 'whole') {
        phase.untouchedNotWhole += 1;
        if (phase.failures.length < 5) phase.failures.push(`untouched ${request.name}: ${JSON.stringify(answer?.errors?.slice(0, 2))}`.slice(0, 400));
      }
    }
    if (outcome === 'failed' && phase.failures.length < 5)
      phase.failures.push(`${request.name}: HTTP ${status} ${JSON.stringify(answer?.errors?.slice(0, 2) ?? answer)}`.slice(0, 400));
    return { outcome, answer };
  };

  /** A client retries a write whose answer named a failing part, as the idempotent writes allow. */
  const write = async (request: Write) => {
    for (let attempt = 0; attempt < 4 && running; attempt++) {
      if (attempt > 0) {
        writesRetried += 1;
        await sleep(250 * 2 ** attempt);
      }
      const { outcome } = await send(request);
      if (outcome === 'whole') return void acknowledged.push(request);
      if (outcome === 'failed') break;
    }
    writesUnacknowledged += 1;
  };

  const client = async () => {
    while (running) {
      const n = counter++;
      if (n % writeEvery === writeEvery - 1) await write(newWrite(writes++, run));
      else await send(reads[n % reads.length]!);
    }
  };

  const phases: PhaseStats[] = [];
  const startPhase = (phase: Phase) => {
    current = {
      phase: phase.name,
      broken: phase.broken,
      requests: 0,
      whole: 0,
      partial: 0,
      failed: 0,
      untouched: 0,
      untouchedNotWhole: 0,
      latenciesMs: [],
      elapsedMs: 0,
      failures: [],
      slowest: [],
    };
    phases.push(current);
    log(`phase ${phase.name}${phase.broken.length ? ` (breaks ${phase.broken.join(', ')})` : ''} for ${phase.durationMs / 1000} s`);
  };
  // Plans, connections and JIT warm up outside the figures: every operation once.
  await Promise.all([...new Map(reads.map((read) => [read.name, read])).values()].map((read) => warmUp(read)));
  startPhase(options.phases[0]!);
  const clients = Array.from({ length: options.clients }, client);
  for (const [index, phase] of options.phases.entries()) {
    if (index > 0) startPhase(phase);
    const started = performance.now();
    const mend = await phase.start?.();
    await sleep(phase.durationMs);
    if (mend) await mend();
    current!.elapsedMs = performance.now() - started;
  }
  running = false;
  await Promise.all(clients);

  const lost: string[] = [];
  for (const request of acknowledged) if (!(await isStored(request))) lost.push(`${request.name} ${JSON.stringify(request.check.variables)}`);
  return { phases, writesAcknowledged: acknowledged.length, writesRetried, writesUnacknowledged, writesLost: lost };

  async function warmUp(request: Request): Promise<void> {
    await fetch(options.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: request.query, variables: request.variables }),
    });
  }

  /** Asked until the answer names no failing part: a write is lost only if the graph, whole again, lacks it. */
  async function isStored(request: Write): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(options.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(request.check),
      });
      const answer = (await response.json()) as Answer;
      if (!answer.errors?.length || attempt >= 20) return Object.values(answer.data ?? {}).every((value) => value !== null);
      await sleep(500);
    }
  }
}

export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** The table per phase, with throughput and p99 against the steady first phase, then writes and the slowest requests. */
export function describeReport(report: LoadReport): string {
  const steady = report.phases[0]!;
  const rate = (phase: PhaseStats) => phase.requests / phase.elapsedMs;
  const lines = [
    table(
      ['phase', 'requests', 'whole', 'partial (named)', 'failed', 'untouched not whole', 'p50 ms', 'p99 ms', 'requests/s ×', 'p99 ×'],
      report.phases.map((phase) => [
        phase.phase,
        phase.requests,
        phase.whole,
        phase.partial,
        phase.failed,
        `${phase.untouchedNotWhole} of ${phase.untouched}`,
        Math.round(percentile(phase.latenciesMs, 0.5)),
        Math.round(percentile(phase.latenciesMs, 0.99)),
        ratio(rate(phase), rate(steady)),
        ratio(percentile(phase.latenciesMs, 0.99), percentile(steady.latenciesMs, 0.99)),
      ]),
    ),
    '',
    `writes acknowledged ${report.writesAcknowledged}, retried after a named failure ${report.writesRetried}, never acknowledged ${report.writesUnacknowledged}; data lost: ${report.writesLost.length}`,
  ];
  for (const phase of report.phases) {
    const slowest = phase.slowest.map(({ name, ms, codes }) => `${name} ${ms} ms${codes.length ? ` (${codes.join(', ')})` : ''}`).join('; ');
    lines.push(`  ${phase.phase}: ${Math.round(phase.elapsedMs / 1000)} s; slowest: ${slowest}`);
    for (const failure of phase.failures) lines.push(`    not whole: ${failure}`);
  }
  for (const lost of report.writesLost) lines.push(`  LOST: ${lost}`);
  return lines.join('\n');
}

function ratio(value: number, baseline: number): string {
  return baseline > 0 ? `${(value / baseline).toFixed(2)}×` : '-';
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}
