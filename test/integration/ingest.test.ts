// Bulk ingest of JSON Lines: whole-record rejection with a report, batches, and runs that can
// be interrupted and repeated without losing or duplicating anything.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, type Rejection } from '../../scripts/ingest/run';
import { readJsonLines, type SourceLine } from '../../scripts/ingest/sources';
import { openWriters } from '../../scripts/ingest/writers';
import { journal, replayPending } from '../../subgraphs/kit/journal';
import { PartUnavailableError, type RetryPolicy } from '../../subgraphs/kit/retry';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { startSubgraph } from '../../subgraphs/kit/server';
import { licencesSubgraph } from '../../subgraphs/licences/subgraph';
import { mraSubgraph } from '../../subgraphs/mra/subgraph';
import { controlResult, declaration, entrySummary, mrn } from '../support/fixtures';
import { testDatabase, uniqueRunId } from '../support/platform';
import { testTrust } from '../support/auth';
import { startFlakyProxy, type Fault, type ProxiedRequest } from '../support/flaky-proxy';

const dir = mkdtempSync(join(tmpdir(), 'ingest-'));
const uri = testDatabase('unused').uri;
const databases: string[] = [];

function jsonl(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return path;
}

/** 120 declarations, each with a control result, and 10 filings: enough for several batches. */
const good = [
  ...Array.from({ length: 120 }, (_, i) => [
    declaration(i + 1),
    controlResult(i + 1, i % 4 ? {} : { outcome: 'IRREGULARITY_FOUND', severity: 'CRITICAL' }),
  ]).flat(),
  ...Array.from({ length: 10 }, (_, i) => entrySummary(i + 1)),
];

interface Faults {
  /** Which requests to the declarations subgraph fail, and how (a proxy in front of it). */
  plan: (request: ProxiedRequest) => Fault | undefined;
  retry: RetryPolicy;
}

/** One run of npm run ingest, into the subgraphs that own the records, all over one database. */
async function run(file: string | AsyncIterable<SourceLine>, database: string, faults?: Faults) {
  const where = { port: 0, database: { uri, dbName: database }, trust: testTrust };
  const subgraphs = await Promise.all([startSubgraph(declarationsSubgraph, where), startSubgraph(licencesSubgraph, where), startSubgraph(mraSubgraph, where)]);
  const urls = Object.fromEntries(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const proxy = faults && (await startFlakyProxy(urls.declarations!, faults.plan));
  if (proxy) urls.declarations = proxy.url;
  const rejections: Rejection[] = [];
  const retried: string[] = [];
  try {
    const { writers, finish } = await openWriters({ urls, token: testTrust.serviceToken, retry: faults?.retry });
    const source = typeof file === 'string' ? readJsonLines(file) : file;
    const summary = await ingest(source, { writers, batchSize: 50, onRejection: (r) => void rejections.push(r), onRetry: (line) => retried.push(line) });
    await finish();
    return { summary, rejections, retried, faults: proxy?.faults ?? 0 };
  } finally {
    await proxy?.close();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  }
}

/** Fails the nth batch posted, counting from 1, as the plan says. */
function batches(faults: Record<number, Fault>): (request: ProxiedRequest) => Fault | undefined {
  let posted = 0;
  return ({ route }) => (route === 'POST /ingest' ? faults[++posted] : undefined);
}

/** Everything stored, without bookkeeping that differs between runs (filing timestamps). */
async function snapshot(database: string) {
  const connection = await mongoose.createConnection(uri, { dbName: database }).asPromise();
  try {
    const dump: Record<string, unknown[]> = {};
    for (const name of ['declarations', 'controlResults', 'entrySummaryDeclarations', 'writeJournal']) {
      const docs = await connection.collection(name).find({}).sort({ _id: 1 }).toArray();
      dump[name] = docs.map(({ lodgedAt: _l, amendedAt: _a, ...rest }) => rest);
    }
    return dump;
  } finally {
    await connection.close();
  }
}

function database(): string {
  const name = `test_${uniqueRunId()}_declarations`;
  databases.push(name);
  return name;
}

afterAll(async () => {
  const connection = await mongoose.createConnection(uri).asPromise();
  for (const name of databases) await connection.useDb(name).dropDatabase();
  await connection.close();
});

describe('ingest', () => {
  it('stores good records, rejects bad lines whole with line, field and reason, and counts both', async () => {
    const badMrn = { ...declaration(500), mrn: mrn(500).slice(0, 17) + 'X' };
    const file = jsonl('mixed.jsonl', [declaration(501), '{ not json', badMrn, { kind: 'invoice', mrn: mrn(502) }, controlResult(501), controlResult(777)]);
    const db = database();
    const { summary, rejections } = await run(file, db);
    expect(summary).toEqual({ read: 6, stored: 2, updated: 0, unchanged: 0, rejected: 4 });
    expect(rejections).toEqual([
      { file, line: 2, field: '', reason: 'is not valid JSON' },
      {
        file,
        line: 4,
        field: 'kind',
        reason: 'must be one of declaration, entrySummaryDeclaration, controlResult, licence, licenceUsage, partnerTrader, consent, tradeLane',
      },
      { file, line: 3, field: 'mrn', reason: expect.stringMatching(/check character/) },
      { file, line: 6, field: 'mrn', reason: expect.stringMatching(/no declaration/) },
    ]);
    const stored = await snapshot(db);
    expect(stored.declarations!.map((doc) => (doc as { _id: string })._id)).toEqual([mrn(501)]);
  });

  it('reports a second run of the same file as unchanged, with identical contents', async () => {
    const file = jsonl('good.jsonl', good);
    const db = database();
    const first = await run(file, db);
    expect(first.summary).toEqual({ read: 250, stored: 250, updated: 0, unchanged: 0, rejected: 0 });
    const before = await snapshot(db);
    const second = await run(file, db);
    expect(second.summary).toEqual({ read: 250, stored: 0, updated: 0, unchanged: 250, rejected: 0 });
    expect(await snapshot(db)).toEqual(before);
  });

  it('ends an interrupted run, once repeated, in the same state as one clean run', async () => {
    const file = jsonl('again.jsonl', good);
    const clean = database();
    await run(file, clean);

    const interrupted = database();
    async function* dyingAfter(lines: number): AsyncGenerator<SourceLine> {
      let count = 0;
      for await (const line of readJsonLines(file)) {
        if (++count > lines) throw new Error('killed');
        yield line;
      }
    }
    await expect(run(dyingAfter(137), interrupted)).rejects.toThrow('killed');
    const resumed = await run(file, interrupted);
    expect(resumed.summary.stored + resumed.summary.unchanged).toBe(250);
    expect(resumed.summary.unchanged).toBe(100);
    expect(await snapshot(interrupted)).toEqual(await snapshot(clean));
  });

  it('takes licences and their usages through the same command, idempotently', async () => {
    const licence = {
      kind: 'licence',
      reference: 'CHEDP.NL.2025.0000077',
      type: 'CHED_P',
      issuingAuthority: 'NVWA',
      issuingCountry: 'NL',
      holder: 'NL100000001',
      validFrom: '2025-01-01',
      validUntil: '2030-12-31',
      goods: [{ commodityCode: '0302', quantity: 500, unit: 'KGM' }],
    };
    const usage = { kind: 'licenceUsage', reference: 'CHEDP.NL.2025.0000077', mrn: mrn(77), itemNumber: 1, quantity: 120 };
    const file = jsonl('licences.jsonl', [licence, usage, { ...licence, reference: 'CHEDP.NL.2025.77' }]);
    const db = database();
    const first = await run(file, db);
    expect(first.summary).toEqual({ read: 3, stored: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(first.rejections[0]).toMatchObject({ line: 3, field: 'reference' });
    const second = await run(file, db);
    expect(second.summary).toEqual({ read: 3, stored: 0, updated: 0, unchanged: 2, rejected: 1 });
  });

  it('sends a batch again that its subgraph failed (a reset connection, a 503, a lost answer), and ends as one clean run would', async () => {
    const file = jsonl('flaky.jsonl', good);
    const clean = database();
    await run(file, clean);

    const flaky = database();
    const quick = { patienceMs: 5_000, firstDelayMs: 5, maxDelayMs: 20 };
    const { summary, retried, faults } = await run(file, flaky, { plan: batches({ 2: 'reset', 3: { status: 503 }, 5: 'lose-answer' }), retry: quick });
    expect(await snapshot(flaky)).toEqual(await snapshot(clean));
    // The batch whose answer was lost had been stored: sent again, it is unchanged, and stored once.
    expect(summary).toEqual({ read: 250, stored: 200, updated: 0, unchanged: 50, rejected: 0 });
    expect(faults).toBe(3);
    expect(retried).toEqual([
      expect.stringMatching(
        /^ingest: batch 2 \(.+flaky\.jsonl lines 51–100, declaration and controlResult records\) failed \(declarations subgraph at .+ unavailable: .+\); retrying in/,
      ),
      expect.stringMatching(/^ingest: batch 2 \(.+\) failed \(declarations subgraph at .+ unavailable: HTTP 503: injected HTTP 503\); retrying in/),
      expect.stringMatching(/^ingest: batch 3 \(.+lines 101–150, .+\) failed \(declarations subgraph at .+ unavailable: .+\); retrying in/),
    ]);
  });

  it('stops when its subgraph stays unavailable, naming the subgraph and the batch', async () => {
    const file = jsonl('down.jsonl', good);
    let posted = 0;
    const downFromTheSecondBatch = ({ route }: ProxiedRequest): Fault | undefined => (route === 'POST /ingest' && ++posted >= 2 ? { status: 503 } : undefined);
    const error = await run(file, database(), { plan: downFromTheSecondBatch, retry: { patienceMs: 200, firstDelayMs: 5, maxDelayMs: 20 } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PartUnavailableError);
    expect((error as Error).message).toMatch(
      /^ingest stopped at batch 2 \(.+down\.jsonl lines 51–100, declaration and controlResult records\): the declarations subgraph at http:\/\/127\.0\.0\.1:\d+ stayed unavailable for 0\.2 s \(SUBGRAPH_UNAVAILABLE: HTTP 503: injected HTTP 503\)$/,
    );
    expect(error).toMatchObject({ subgraphs: ['declarations'] });
  });

  it('finishes a batch a crash left in the journal, writing it exactly once', async () => {
    const db = database();
    const connection = await mongoose.createConnection(uri, { dbName: db }).asPromise();
    try {
      // The process died after journalling a batch and writing part of it.
      const notes = [
        { _id: 'N1', roles: { IMPORTER: { declarations: 3 } }, at: new Date('2025-01-02T03:04:05Z') },
        { _id: 'N2', roles: { DECLARANT: { declarations: 3 } }, at: new Date('2025-01-02T03:04:05Z') },
      ];
      const id = await journal(connection, { put: { notes }, thenPut: {} });
      await connection.collection('notes').insertOne(notes[0] as never);

      await replayPending(connection);
      expect(await connection.collection('notes').find({}).sort({ _id: 1 }).toArray()).toEqual(notes);
      expect(await connection.collection('writeJournal').countDocuments()).toBe(0);
      expect((await connection.db!.listCollections().toArray()).map((c) => c.name)).not.toContain(`writeJournal_${id}`);
    } finally {
      await connection.close();
    }
  });
});
