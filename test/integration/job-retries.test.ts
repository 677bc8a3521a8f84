// Long jobs that read the graph ride out a part that fails for a while: a batch the gateway or a
// subgraph failed is asked for again at the same cursor, and the job ends as it would have
// without the failures. Only a part that stays down stops a job, naming the part; a later run
// goes on from where it stopped. Faults come from a proxy in front of the gateway, counted, so
// every run here fails the same requests in the same ways.
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsRecordList, readKcsCsv } from '../../demo/kcs';
import { createGraphClient, GraphRequestError } from '../../subgraphs/kit/graph-client';
import { PartUnavailableError, type RetryPolicy } from '../../subgraphs/kit/retry';
import type { RiskStore } from '../../subgraphs/risk/context';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { loadModel } from '../../subgraphs/risk/model-store';
import { prepareRiskModels, type AssessmentDoc } from '../../subgraphs/risk/models';
import { screenPending } from '../../subgraphs/risk/screening';
import { createRiskStore } from '../../subgraphs/risk/subgraph';
import { entrySummary } from '../support/fixtures';
import { perOperation, startFlakyProxy, type FlakyProxy } from '../support/flaky-proxy';
import { startPlatform, testDatabase, uniqueRunId, type Platform } from '../support/platform';

const HISTORY = readKcsCsv('data/kcs-synthetic/train.csv').slice(0, 150);
const BATCH = 25;
/** Quick retries, and patience enough for the few failures planned in a row. */
const PATIENT: RetryPolicy = { patienceMs: 5_000, firstDelayMs: 5, maxDelayMs: 20 };
/** A part that stays down is given up on quickly. */
const IMPATIENT: RetryPolicy = { patienceMs: 200, firstDelayMs: 5, maxDelayMs: 20 };

let platform: Platform;
let reference: RiskStore;
let referenceRun: Awaited<ReturnType<typeof screenPending>>;
/** Pages of changes the reference screening read. */
let referencePages = 0;
/** The gateway's answer while the licences subgraph is down: every licence check null, with an error naming it. */
const licencesDown = { unavailable: 'licences', field: 'licenceChecks' };
const connections: Connection[] = [];
const proxies: FlakyProxy[] = [];

/** A risk database of its own, reading the graph at `url` (the gateway, or a proxy in front of it). */
async function riskStore(url: string, retry: RetryPolicy = PATIENT): Promise<RiskStore> {
  const { uri, dbName } = testDatabase('risk_retries', uniqueRunId());
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  connections.push(connection);
  const { settings } = platform.risk.models;
  const store = { ...createRiskStore(connection, settings), graph: createGraphClient({ url, token: settings.serviceToken, retry }) };
  await prepareRiskModels(store);
  return store;
}

async function proxy(plan: Parameters<typeof startFlakyProxy>[1]): Promise<FlakyProxy> {
  const started = await startFlakyProxy(platform.graphqlUrl, plan);
  proxies.push(started);
  return started;
}

/** What an assessment says, without when it was made. */
async function assessments(store: RiskStore): Promise<Omit<AssessmentDoc, 'assessedAt'>[]> {
  const docs = await store.assessments.find().sort({ _id: 1 }).lean<AssessmentDoc[]>().exec();
  return docs.map(({ assessedAt: _assessedAt, ...rest }) => rest);
}

/** The learned model, without when it was learned. */
async function modelOf(store: RiskStore) {
  const { header, model } = (await loadModel(store))!;
  const { learnedAt: _learnedAt, ...rest } = header;
  return { header: rest, model };
}

beforeAll(async () => {
  platform = await startPlatform();
  await platform.declarations.models.writer.write([...kcsRecordList(HISTORY, { withLabels: true }), entrySummary(1), entrySummary(2)]);
  reference = await riskStore(platform.graphqlUrl);
  await learnThroughGraph(reference, { batchSize: BATCH });
  referenceRun = await screenPending(reference, { batchSize: BATCH, onProgress: () => void (referencePages += 1) });
}, 120_000);

afterAll(async () => {
  await Promise.all(proxies.map((started) => started.close()));
  for (const connection of connections) {
    await connection.dropDatabase();
    await connection.close();
  }
  await platform.stop();
});

describe('a job whose graph fails for a while', () => {
  it('screens with licence checks that a partial answer would leave out (so the comparisons below can fail)', async () => {
    const reasons = (await assessments(reference)).flatMap((assessment) => assessment.reasons.map((reason) => reason.code));
    expect(reasons).toContain('LICENCE_NOT_MATCHED');
  });

  it('learns, through a connection reset, a 503 and a subgraph reported unavailable, the model a run without them learns', async () => {
    const flaky = await proxy(perOperation({ RiskLearnChanges: { 2: 'reset', 3: { status: 503 }, 5: { unavailable: 'declarations' } } }));
    const store = await riskStore(flaky.url);
    const lines: string[] = [];
    await learnThroughGraph(store, { batchSize: BATCH, onRetry: (line) => lines.push(line) });
    expect(flaky.faults).toBe(3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^learning: batch 2 \(25 control results read before it\) failed \(gateway at http:\/\/127\.0\.0\.1:\d+\/graphql unavailable: .+\); retrying in [\d.]+ s$/,
    );
    expect(lines[1]).toMatch(/^learning: batch 2 \(25 control results read before it\) failed \(gateway at .+ unavailable: HTTP 503\); retrying in/);
    expect(lines[2]).toMatch(
      /^learning: batch 3 \(50 control results read before it\) failed \(declarations subgraph unavailable: connection refused\); retrying in/,
    );
    expect(await modelOf(store)).toEqual(await modelOf(reference));
  });

  it('screens every change once when the licences subgraph drops out of every first answer, ending with the assessments of a run without faults', async () => {
    // Each page's first answer lacks its licence checks; the second is whole.
    let requests = 0;
    const flaky = await proxy(({ operationName }) => (operationName === 'RiskScreenChanges' && ++requests % 2 === 1 ? licencesDown : undefined));
    const store = await riskStore(flaky.url);
    await learnThroughGraph(store, { batchSize: BATCH });
    const lines: string[] = [];
    const result = await screenPending(store, { batchSize: BATCH, onRetry: (line) => lines.push(line) });
    expect(await assessments(store)).toEqual(await assessments(reference));
    expect(result).toEqual({ ...referenceRun });
    expect(flaky.faults).toBe(referencePages);
    expect(lines).toHaveLength(referencePages);
    expect(lines[1]).toMatch(
      /^screening: batch 2 \(25 changes screened before it\) failed \(licences subgraph unavailable: connection refused\); retrying in [\d.]+ s$/,
    );
  });

  it('stops when the licences subgraph stays down, naming it and the batch; the next run resumes there and skips nothing', async () => {
    let healed = false;
    let pages = 0;
    // Down from the fourth request for a page of changes on, until healed.
    const flaky = await proxy(({ operationName }) => {
      if (operationName !== 'RiskScreenChanges') return undefined;
      pages += 1;
      return !healed && pages >= 4 ? { unavailable: 'licences' } : undefined;
    });
    const store = await riskStore(flaky.url, IMPATIENT);
    await learnThroughGraph(store, { batchSize: BATCH });
    const screened: number[] = [];
    const error = await screenPending(store, { batchSize: BATCH, onProgress: ({ changesRead }) => void screened.push(changesRead) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PartUnavailableError);
    expect((error as PartUnavailableError).message).toBe(
      'screening stopped at batch 4 (75 changes screened before it): the licences subgraph stayed unavailable for 0.2 s (SUBGRAPH_UNAVAILABLE: connection refused)',
    );
    expect(error).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraphs: ['licences'] });
    expect(screened).toEqual([25, 50, 75]);

    healed = true;
    const resumed = await screenPending(store, { batchSize: BATCH });
    expect(resumed).toMatchObject({ restarted: false, changesRead: referenceRun.changesRead - 75 });
    expect(await assessments(store)).toEqual(await assessments(reference));
  });
});

describe('the graph client', () => {
  it('sends a query whose error is the caller’s own once, and throws it with its code', async () => {
    const counting = await proxy(() => undefined);
    const graph = createGraphClient({ url: counting.url, token: platform.trust.serviceToken, retry: PATIENT });
    const error = await graph
      .request(`query Wrong($mrns: [ID!]!) { declarationsByMrn(mrns: $mrns) { mrn } }`, { mrns: 'not a list' })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(counting.requests).toBe(1);
  });

  it('sends a mutation once, even when a subgraph was unavailable for it', async () => {
    const flaky = await proxy(() => ({ unavailable: 'risk' }));
    const graph = createGraphClient({ url: flaky.url, token: platform.trust.serviceToken, retry: PATIENT });
    const error = await graph.request(`mutation Screen($mrns: [ID!]!) { screen(mrns: $mrns) { assessed } }`, { mrns: [] }).catch((caught) => caught);
    expect(error).toBeInstanceOf(PartUnavailableError);
    expect((error as Error).message).toBe('the risk subgraph was unavailable (SUBGRAPH_UNAVAILABLE: connection refused)');
    expect(flaky.requests).toBe(1);
  });

  it('names the gateway when it cannot be reached at all', async () => {
    const gone = await proxy(() => undefined);
    await gone.close();
    const graph = createGraphClient({ url: gone.url, token: platform.trust.serviceToken, retry: IMPATIENT });
    await expect(graph.request(`query Anything { riskModel { version } }`)).rejects.toThrow(
      `the gateway at ${gone.url} stayed unavailable for 0.2 s (GATEWAY_UNAVAILABLE: connection refused)`,
    );
  });
});
