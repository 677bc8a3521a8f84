// Ingest throughput: the project's ingest path (batches posted to the declarations subgraph,
// which validates them, compares fingerprints, announces changes on its feed and writes through
// its crash journal) against a bare insertMany of the same number of documents, on the same
// engine in the same run.
//
//   npx tsx bench/ingest.ts [--rows 10000]
//
// Records: the first N rows of data/kcs-synthetic/train.csv as [declaration, control, ...].
// Baseline: the raw records themselves, each with a generated _id (the MRN for a declaration,
// mrn/item/controlType for a control result, as the project keys them), inserted with
// insertMany({ ordered: false }) in batches of 2,000 into one plain collection of a database
// of its own. No validation, no fingerprints, no counters, no journal.
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { ingest, type IngestSummary } from '../scripts/ingest/run';
import { fromRecords } from '../scripts/ingest/sources';
import { openWriters } from '../scripts/ingest/writers';
import { declarationsSubgraph } from '../subgraphs/declarations/subgraph';
import { ephemeralTrust } from '../subgraphs/kit/auth/trust';
import { startSubgraph } from '../subgraphs/kit/server';
import { kcsFileToRecords } from '../demo/kcs';
import type { DeclarationsRecord } from '../subgraphs/declarations/records';
import { controlResultId } from '../subgraphs/declarations/validate';
import { formatCount, formatMs, formatRatio, numberFlag, printTable, startBenchDatabase } from './support';

const BATCH_SIZE = 2_000;
const TRAIN_CSV = fileURLToPath(new URL('../data/kcs-synthetic/train.csv', import.meta.url));

const rows = numberFlag('rows', 10_000);
const records: DeclarationsRecord[] = kcsFileToRecords(TRAIN_CSV)
  .slice(0, rows)
  .flatMap(({ declaration, control }) => (control ? [declaration, control] : [declaration]));

const source = () => fromRecords(records, 'bench');

interface ProjectRun {
  /** openWriters: ask the subgraph which kinds it takes. */
  openMs: number;
  /** ingest() over every record. */
  ingestMs: number;
  summary: IngestSummary;
  /** Records per second of each batch, in order (from ingest's progress callback). */
  batchRates: number[];
}

/** One ingest run as `npm run ingest` does it, into a running declarations subgraph. */
async function projectRun(declarationsUrl: string): Promise<ProjectRun> {
  const opening = performance.now();
  const { writers } = await openWriters({ urls: { declarations: declarationsUrl }, token: trust.serviceToken });
  const started = performance.now();
  const batchRates: number[] = [];
  let last = { at: started, done: 0 };
  const onBatch = (done: number) => {
    const at = performance.now();
    if (done > last.done) batchRates.push((done - last.done) / ((at - last.at) / 1000));
    last = { at, done };
  };
  const summary = await ingest(source(), { writers, batchSize: BATCH_SIZE, progress: { update: onBatch, finish: onBatch } });
  return { openMs: started - opening, ingestMs: performance.now() - started, summary, batchRates };
}

/** The same number of documents, raw, with insertMany. Returns the milliseconds. */
async function plainInsertMany(uri: string, dbName: string): Promise<number> {
  const documents = records.map((record) => ({
    _id: record.kind === 'controlResult' ? controlResultId(record.mrn, record.itemNumber ?? null, record.controlType) : record.mrn,
    ...record,
  }));
  const client = new mongoose.mongo.MongoClient(uri);
  await client.connect();
  try {
    const collection = client.db(dbName).collection<{ _id: string }>('records');
    const started = performance.now();
    for (let i = 0; i < documents.length; i += BATCH_SIZE) {
      await collection.insertMany(documents.slice(i, i + BATCH_SIZE), { ordered: false });
    }
    const elapsed = performance.now() - started;
    const stored = await collection.countDocuments();
    if (stored !== documents.length) throw new Error(`insertMany stored ${stored} of ${documents.length} documents`);
    return elapsed;
  } finally {
    await client.close();
  }
}

const database = await startBenchDatabase();
const trust = await ephemeralTrust();
try {
  console.log(
    `Ingest benchmark: ${formatCount(rows)} KCS rows → ${formatCount(records.length)} records, batches of ${formatCount(BATCH_SIZE)}, on ${database.description}\n`,
  );

  // The baseline first, into its own database; then the project path twice into another.
  const plainMs = await plainInsertMany(database.uri, database.dbName('plain'));
  const declarations = await startSubgraph(declarationsSubgraph, { port: 0, database: { uri: database.uri, dbName: database.dbName('declarations') }, trust });
  const first = await projectRun(declarations.url);
  const second = await projectRun(declarations.url);
  await declarations.stop();

  const plainRate = records.length / (plainMs / 1000);
  const rate = (run: ProjectRun) => records.length / (run.ingestMs / 1000);
  const rateWithOpen = (run: ProjectRun) => records.length / ((run.openMs + run.ingestMs) / 1000);
  const outcome = ({ summary }: ProjectRun) =>
    (['stored', 'updated', 'unchanged', 'rejected'] as const)
      .filter((key) => summary[key] > 0)
      .map((key) => `${formatCount(summary[key])} ${key}`)
      .join(', ');
  const projectRow = (label: string, run: ProjectRun) => [
    label,
    formatCount(run.summary.read),
    formatMs(run.openMs),
    formatMs(run.ingestMs),
    formatCount(rate(run)),
    formatRatio(rate(run) / plainRate),
    formatRatio(rateWithOpen(run) / plainRate),
    outcome(run),
  ];

  printTable(
    ['path', 'records', 'open writers', 'time', 'records/s', 'ratio', 'ratio incl. open', 'outcome'],
    [
      [
        'insertMany, raw records (baseline)',
        formatCount(records.length),
        '-',
        formatMs(plainMs),
        formatCount(plainRate),
        formatRatio(1),
        formatRatio(1),
        `${formatCount(records.length)} inserted`,
      ],
      projectRow('ingest, 1st run (empty database)', first),
      projectRow('ingest, 2nd run (same records)', second),
    ],
  );
  const batches = first.batchRates;
  console.log(
    `\n1st run, records/s per batch of ${formatCount(BATCH_SIZE)}: ${batches.map(formatCount).join(' → ')}` +
      `\n\nratio = ingest records/s ÷ insertMany records/s. The 1st run stores at ${formatRatio(rate(first) / plainRate)} the speed of a bare insertMany of the same number of documents:` +
      `\nHTTP to the subgraph, validation, fingerprints, the change feed and the crash journal (each document is written twice) cost the rest.` +
      `\nThe 2nd run writes nothing: the subgraph reads each batch's stored fingerprints, validates and compares (${formatRatio(rate(second) / plainRate)}).`,
  );
} finally {
  await database.stop();
}
