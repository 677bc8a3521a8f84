// The first start's risk setup reads the change feed once for learning and screening both, and
// ends where learning and then screening, each reading the feed, would have ended, also when a
// part of the graph fails some of its batches.
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsRecordList, kcsRowToRecords, readKcsCsv } from '../../demo/kcs';
import type { DeclarationsRecord } from '../../subgraphs/declarations/records';
import { createGraphClient } from '../../subgraphs/kit/graph-client';
import type { RiskStore } from '../../subgraphs/risk/context';
import { learnAndScreenInOneRead } from '../../subgraphs/risk/first-setup';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { loadModel } from '../../subgraphs/risk/model-store';
import { prepareRiskModels, readState, type AssessmentDoc } from '../../subgraphs/risk/models';
import { SCREEN_CURSOR, screenPending } from '../../subgraphs/risk/screening';
import { createRiskStore } from '../../subgraphs/risk/subgraph';
import { entrySummary } from '../support/fixtures';
import { perOperation, startFlakyProxy } from '../support/flaky-proxy';
import { startPlatform, testDatabase, uniqueRunId, type Platform } from '../support/platform';

const KCS = readKcsCsv('data/kcs-synthetic/train.csv');
/** Lodged first, uncontrolled: its control is recorded once the first setup has read the feed. */
const CONTROLLED_MEANWHILE = kcsRowToRecords(KCS[0]!, { withLabels: true });
const HISTORY = KCS.slice(1, 200);

let platform: Platform;
const connections: Connection[] = [];
const write = (records: DeclarationsRecord[]) => platform.declarations.models.writer.write(records);

/** Another risk database behind the same graph, as a first start would find it: empty. Reading the graph at `url` when given (a proxy). */
async function emptyRiskStore(url?: string): Promise<RiskStore> {
  const { uri, dbName } = testDatabase('risk_first_setup', uniqueRunId());
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  connections.push(connection);
  const { settings } = platform.risk.models;
  const store = createRiskStore(connection, settings);
  if (url) store.graph = createGraphClient({ url, token: settings.serviceToken, retry: { patienceMs: 5_000, firstDelayMs: 5, maxDelayMs: 20 } });
  await prepareRiskModels(store);
  return store;
}

/** What an assessment says, without when it was made. */
async function assessments(store: RiskStore): Promise<Omit<AssessmentDoc, 'assessedAt'>[]> {
  const docs = await store.assessments.find().sort({ _id: 1 }).lean<AssessmentDoc[]>().exec();
  return docs.map(({ assessedAt: _assessedAt, ...rest }) => rest);
}

beforeAll(async () => {
  platform = await startPlatform();
  await write([CONTROLLED_MEANWHILE.declaration]);
  await write(kcsRecordList(HISTORY, { withLabels: true }));
  await write([entrySummary(1), entrySummary(2)]);
}, 120_000);

afterAll(async () => {
  for (const connection of connections) {
    await connection.dropDatabase();
    await connection.close();
  }
  await platform.stop();
});

describe('the first risk setup', () => {
  let reference: RiskStore;
  let oneRead: RiskStore;
  let result: Awaited<ReturnType<typeof learnAndScreenInOneRead>>;

  beforeAll(async () => {
    reference = await emptyRiskStore();
    await learnThroughGraph(reference);
    await screenPending(reference);
    oneRead = await emptyRiskStore();
    result = await learnAndScreenInOneRead(oneRead);
  }, 120_000);

  it('learns the model that learning through the graph learns', async () => {
    const [expected, actual] = [(await loadModel(reference))!, (await loadModel(oneRead))!];
    // The one read's cursor is the end of the whole feed, learning's the last control result.
    const { learnedAt: _a, feedCursor: _c, ...expectedHeader } = expected.header;
    const { learnedAt: _b, feedCursor: _d, ...actualHeader } = actual.header;
    expect(actualHeader).toEqual(expectedHeader);
    expect(actual.model).toEqual(expected.model);
    expect(await learnThroughGraph(oneRead, { incremental: true })).toMatchObject({ newFilings: 0, header: { version: 1 } });
    expect(result.header.filingsLearned).toBe(HISTORY.length - HISTORY.filter((row) => row.countryOfOrigin === 'ZZ').length);
  });

  it('assesses every declaration and ENS as screening does, and leaves screening nothing to do', async () => {
    expect(await assessments(oneRead)).toEqual(await assessments(reference));
    expect(result.assessed).toBe(1 + HISTORY.length + 2);
    expect(JSON.parse((await readState(oneRead, SCREEN_CURSOR))!).basis).toBe(JSON.parse((await readState(reference, SCREEN_CURSOR))!).basis);
    expect(await screenPending(oneRead)).toMatchObject({ restarted: false, assessed: 0 });
  });

  it('reads through batches a part of the graph failed, and ends as the one read without failures', async () => {
    const licencesDown = { unavailable: 'licences', field: 'licenceChecks' };
    const flaky = await startFlakyProxy(
      platform.graphqlUrl,
      perOperation({ RiskFirstSetupChanges: { 2: 'reset', 3: { status: 502 } }, RiskScreenDeclarations: { 1: licencesDown, 3: licencesDown, 4: 'reset' } }),
    );
    try {
      const store = await emptyRiskStore(flaky.url);
      const lines: string[] = [];
      const { header } = await learnAndScreenInOneRead(store, { onRetry: (line) => lines.push(line) });
      expect(header.filingsLearned).toBe(result.header.filingsLearned);
      expect((await loadModel(store))!.model).toEqual((await loadModel(oneRead))!.model);
      expect(await assessments(store)).toEqual(await assessments(oneRead));
      expect(flaky.faults).toBe(5);
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(/^first risk setup: change feed batch 2 \(100 changes read before it\) failed \(gateway at .+\); retrying in/);
      // The two batches of declarations are read at once: either may meet a fault first.
      expect(lines).toContainEqual(
        expect.stringMatching(/^first risk setup: declarations (1–100|101–200) failed \(licences subgraph unavailable: connection refused\); retrying in/),
      );
    } finally {
      await flaky.close();
    }
  });

  it('leaves a control recorded after the feed was read to the next incremental learning', async () => {
    const store = await emptyRiskStore();
    const request = store.graph.request.bind(store.graph);
    let recorded = false;
    store.graph.request = (async (...args: Parameters<typeof request>) => {
      if (!recorded && String(args[0]).includes('RiskScreenDeclarations')) {
        recorded = true;
        await write([CONTROLLED_MEANWHILE.control!]);
      }
      return request(...args);
    }) as typeof request;
    const { header } = await learnAndScreenInOneRead(store);
    expect(recorded).toBe(true);
    expect(header.filingsLearned).toBe(result.header.filingsLearned);
    const next = await learnThroughGraph(store, { incremental: true });
    expect(next).toMatchObject({ newFilings: 1, header: { version: 2, filingsLearned: header.filingsLearned + 1 } });
  });
});
