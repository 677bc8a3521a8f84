// Queries per second through the whole stack (client → gateway → aeo subgraph → database, over
// real HTTP) against the same reads made directly with mongoose, on the same engine in the same
// run, at the same concurrency for the same time.
//
//   npx tsx bench/gateway.ts [--concurrency 8] [--duration 10] [--warmup 2] [--operators 500]
//
// Everything runs in this one process (client loop, gateway, subgraphs), like the integration
// tests; only the database engine is a process of its own. The client is a plain fetch loop:
// `concurrency` workers, each sending its next request as soon as the last one answered.
import { startGateway } from '../gateway/server';
import { generateAeoDemoData } from '../demo/aeo';
import type { AuthorisationDoc, OperatorDoc } from '../subgraphs/aeo/models';
import { ingest } from '../scripts/ingest/run';
import { fromRecords } from '../scripts/ingest/sources';
import { openWriters } from '../scripts/ingest/writers';
import { aeoRecords } from '../scripts/seed';
import { aeoSubgraph } from '../subgraphs/aeo/subgraph';
import { declarationsSubgraph } from '../subgraphs/declarations/subgraph';
import { ephemeralTrust } from '../subgraphs/kit/auth/trust';
import { startSubgraph } from '../subgraphs/kit/server';
import { formatCount, formatLatency, formatMs, formatRatio, numberFlag, printTable, quantile, startBenchDatabase } from './support';

const concurrency = numberFlag('concurrency', 8);
const durationMs = numberFlag('duration', 10) * 1000;
const warmupMs = numberFlag('warmup', 2) * 1000;
const operatorCount = numberFlag('operators', 500);

const QUERY = `query ($eori: ID!) { economicOperator(eori: $eori) { eori name country aeoAuthorisations { number type status } } }`;

interface Operator {
  eori: string;
  name: string;
  country: string;
  aeoAuthorisations: { number: string; type: string; status: string }[];
}

/** One lookup; resolves to the operator, throws on any error. */
type Lookup = (eori: string) => Promise<Operator>;

interface Measurement {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Latencies of the successful requests, ascending. */
  latencies: number[];
  firstError?: string;
}

/** `concurrency` workers over the EORIs in turn, until the time is up. */
async function drive(lookup: Lookup, eoris: readonly string[], forMs: number): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + forMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const eori = eoris[next++ % eoris.length]!;
      const sent = performance.now();
      try {
        const operator = await lookup(eori);
        if (operator.eori !== eori) throw new Error(`asked for ${eori}, got ${operator.eori}`);
        latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length + errors, errors, elapsedMs, latencies, ...(firstError ? { firstError } : {}) };
}

async function measure(label: string, lookup: Lookup, eoris: readonly string[]): Promise<Measurement> {
  process.stderr.write(`  ${label}: warming up ${warmupMs / 1000} s, measuring ${durationMs / 1000} s ...\n`);
  await drive(lookup, eoris, warmupMs);
  return drive(lookup, eoris, durationMs);
}

const database = await startBenchDatabase();
const trust = await ephemeralTrust();
const aeoDb = database.dbName('aeo');
const declarationsDb = database.dbName('declarations');
const stops: (() => Promise<void>)[] = [];
try {
  const [aeo, declarations] = await Promise.all([
    startSubgraph(aeoSubgraph, { port: 0, database: { uri: database.uri, dbName: aeoDb }, trust }),
    startSubgraph(declarationsSubgraph, { port: 0, database: { uri: database.uri, dbName: declarationsDb }, trust }),
  ]);
  stops.push(
    () => aeo.stop(),
    () => declarations.stop(),
  );
  // No audit subgraph here: bench/audit.ts measures what the trail costs.
  const gateway = await startGateway({ port: 0, subgraphUrls: { aeo: aeo.url, declarations: declarations.url }, trust, audit: false });
  stops.unshift(() => gateway.stop());

  const data = generateAeoDemoData({ operators: operatorCount });
  await ingest(fromRecords(aeoRecords(data), 'bench'), {
    writers: (await openWriters({ urls: { aeo: aeo.url }, token: trust.serviceToken })).writers,
    batchSize: 5_000,
  });
  const eoris = data.operators.map((operator) => operator.eori);

  const token = await trust.serviceToken();
  const throughGateway: Lookup = async (eori) => {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: QUERY, variables: { eori } }),
    });
    const body = (await response.json()) as { data?: { economicOperator: Operator | null }; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length) throw new Error(`HTTP ${response.status}: ${body.errors?.[0]?.message ?? 'no data'}`);
    if (!body.data?.economicOperator) throw new Error(`no operator ${eori}`);
    return body.data.economicOperator;
  };

  // What the aeo subgraph's loaders ask for this query: the operator by _id, then its
  // authorisations by holder in the same order; shaped like the GraphQL answer.
  const { operators, authorisations } = aeo.models;
  const direct: Lookup = async (eori) => {
    const operator = await operators.findOne({ _id: eori }).lean<OperatorDoc>().exec();
    if (!operator) throw new Error(`no operator ${eori}`);
    const held = await authorisations.find({ holder: eori }).sort({ validFrom: -1, _id: 1 }).lean<AuthorisationDoc[]>().exec();
    return {
      eori: operator._id,
      name: operator.name,
      country: operator.country,
      aeoAuthorisations: held.map((authorisation) => ({ number: authorisation._id, type: authorisation.type, status: authorisation.status })),
    };
  };

  // Both paths must give the same answers, or the comparison means nothing.
  for (const eori of eoris.slice(0, 20)) {
    const [viaGateway, viaDatabase] = await Promise.all([throughGateway(eori), direct(eori)]);
    if (JSON.stringify(viaGateway) !== JSON.stringify(viaDatabase)) {
      throw new Error(`The gateway and the database disagree on ${eori}:\n${JSON.stringify(viaGateway)}\n${JSON.stringify(viaDatabase)}`);
    }
  }

  console.log(
    `Gateway benchmark: ${formatCount(eoris.length)} operators (${formatCount(data.authorisations.length)} authorisations), ` +
      `${concurrency} concurrent clients, ${durationMs / 1000} s each after ${warmupMs / 1000} s warm-up, on ${database.description}`,
  );
  const baseline = await measure('direct mongoose reads', direct, eoris);
  const gatewayRun = await measure('through the gateway', throughGateway, eoris);

  const qps = (m: Measurement) => (m.requests - m.errors) / (m.elapsedMs / 1000);
  const row = (label: string, m: Measurement) => [
    label,
    String(concurrency),
    formatCount(m.requests),
    formatCount(m.errors),
    formatMs(m.elapsedMs),
    formatCount(qps(m)),
    formatLatency(quantile(m.latencies, 0.5)),
    formatLatency(quantile(m.latencies, 0.95)),
    formatRatio(qps(m) / qps(baseline)),
  ];
  console.log('');
  printTable(
    ['path', 'concurrency', 'requests', 'errors', 'time', 'queries/s', 'median', 'p95', 'ratio'],
    [row('direct: findOne by _id + find by holder (baseline)', baseline), row('gateway → aeo subgraph → database, HTTP', gatewayRun)],
  );
  for (const [label, m] of [
    ['direct', baseline],
    ['gateway', gatewayRun],
  ] as const) {
    if (m.firstError) console.log(`${label}: first error: ${m.firstError}`);
  }
  console.log(
    `\nratio = gateway queries/s ÷ direct queries/s: the whole stack answers ${formatRatio(qps(gatewayRun) / qps(baseline))} as many queries per second as the bare database reads;` +
      `\nthe rest goes to two HTTP hops, query planning and execution in the gateway and the subgraph, and JSON in between` +
      ` (median latency ${formatLatency(quantile(gatewayRun.latencies, 0.5))} vs ${formatLatency(quantile(baseline.latencies, 0.5))}).`,
  );
} finally {
  for (const stop of stops) await stop().catch((error: unknown) => console.error('stopping:', error));
  await database.stop();
}
