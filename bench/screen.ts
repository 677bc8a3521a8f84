// Declarations screened per second through the gateway (change feed page → one operation that
// fetches the declarations, their items' licence checks, the importers' AEO status and mutual
// recognition → scoring → stored assessments) against scoring the same feature vectors
// in-process with the same model and policy, in the same run. In-process scoring is also timed
// without the model's boosted trees (the same regression alone, as before there were trees), in
// alternate rounds so that both see the same machine.
//
//   npx tsx bench/screen.ts [--history 3000] [--screen 2000] [--rounds 20]
//
// The platform runs in this process (gateway and subgraphs over real HTTP), like the tests.
import { kcsRecordList, readKcsCsv } from '../demo/kcs';
import { assess, type AssessmentPolicy } from '../subgraphs/risk/assess';
import { SCREENING_CHANGES, declarationFeatures, type ChangePage, type ScreeningChange } from '../subgraphs/risk/graph-facts';
import { learnThroughGraph } from '../subgraphs/risk/learning';
import type { FilingFeatures } from '../subgraphs/risk/model/features';
import { createScorer } from '../subgraphs/risk/model/score';
import { currentPolicy, screenPending } from '../subgraphs/risk/screening';
import { startInProcessPlatform } from '../scripts/in-process-platform';
import { ingest } from '../scripts/ingest/run';
import { fromRecords } from '../scripts/ingest/sources';
import { openWriters } from '../scripts/ingest/writers';
import { formatCount, formatMs, numberFlag, printTable, startBenchDatabase } from './support';

const historyRows = numberFlag('history', 3000);
const screenRows = numberFlag('screen', 2000);
const rounds = numberFlag('rounds', 20);
const WARM_UP_ROUNDS = 5;

const database = await startBenchDatabase();
const platform = await startInProcessPlatform({ uri: database.uri, databaseName: database.dbName });
try {
  const rows = readKcsCsv('data/kcs-synthetic/train.csv').slice(0, historyRows + screenRows);
  const { writers, finish } = await openWriters({ urls: platform.subgraphUrls, token: platform.trust.serviceToken });
  const lines = (slice: typeof rows, withLabels: boolean) => fromRecords(kcsRecordList(slice, { withLabels }), 'bench');
  const services = platform.risk.models;
  await ingest(lines(rows.slice(0, historyRows), true), { writers, batchSize: 2000 });
  await finish();
  const { header } = await learnThroughGraph(services);
  await ingest(lines(rows.slice(historyRows), false), { writers, batchSize: 2000 });
  await finish();

  // Through the gateway: every declaration after the history, as `npm run screen` does it.
  const started = performance.now();
  const run = await screenPending(services, { startAfter: header.feedCursor });
  const gatewayMs = performance.now() - started;

  // In-process: the same feature vectors, fetched once beforehand, scored with the same policy.
  const features: FilingFeatures[] = [];
  const fetchStarted = performance.now();
  let after: string | null = header.feedCursor;
  for (;;) {
    const page: ChangePage<ScreeningChange> = await services.graph.request(SCREENING_CHANGES, { after, first: 100, kinds: ['DECLARATION'] });
    for (const { node } of page.changes.edges) if (node.declaration) features.push(declarationFeatures(node.declaration));
    after = page.changes.pageInfo.endCursor;
    if (!page.changes.pageInfo.hasNextPage) break;
  }
  const fetchMs = performance.now() - fetchStarted;
  const policy = await currentPolicy(services);
  const regression = { ...policy.model, trees: undefined };
  const withoutTrees: AssessmentPolicy = { ...policy, model: regression, scorer: createScorer(regression) };
  const scoringMs = (p: AssessmentPolicy) => {
    const roundStarted = performance.now();
    for (const filing of features) assess(filing, p);
    return performance.now() - roundStarted;
  };
  // Untimed rounds first: the mean is of scoring, not of compiling it.
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    scoringMs(policy);
    scoringMs(withoutTrees);
  }
  let inProcessMs = 0;
  let withoutTreesMs = 0;
  for (let round = 0; round < rounds; round++) {
    inProcessMs += scoringMs(policy) / rounds;
    withoutTreesMs += scoringMs(withoutTrees) / rounds;
  }

  const gatewayRate = (run.assessed * 1000) / gatewayMs;
  const inProcessRate = (features.length * 1000) / inProcessMs;
  const withoutTreesRate = (features.length * 1000) / withoutTreesMs;
  console.log(
    `Screening benchmark: ${formatCount(run.assessed)} declarations screened after learning from ${formatCount(header.filingsLearned)} (${database.description})\n`,
  );
  printTable(
    ['path', 'declarations', 'time', 'declarations/s'],
    [
      ['through the gateway (fetch, score, store)', formatCount(run.assessed), formatMs(gatewayMs), formatCount(gatewayRate)],
      ['of which fetching the facts (same operations)', formatCount(features.length), formatMs(fetchMs), formatCount((features.length * 1000) / fetchMs)],
      [`in-process scoring (mean of ${rounds} rounds)`, formatCount(features.length), formatMs(inProcessMs), formatCount(inProcessRate)],
      ['in-process scoring, the regression without its trees', formatCount(features.length), formatMs(withoutTreesMs), formatCount(withoutTreesRate)],
    ],
  );
  console.log(`\nratio (in-process with trees ÷ without): ${(inProcessRate / withoutTreesRate).toFixed(2)}×`);
  // Two significant digits: the ratio is far below 0.01.
  console.log(`\nratio (gateway ÷ in-process): ${(gatewayRate / inProcessRate).toPrecision(2)}×`);
} finally {
  await platform.stop();
  await database.stop();
}
