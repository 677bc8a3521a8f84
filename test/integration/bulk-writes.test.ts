// Writes of many statements, on an engine of their own: FerretDB's SQLite backend deadlocks on
// an update command of about 100 statements (kit/bulk.ts), and a deadlocked engine would take
// every later test file down with it.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase, type Database, temporaryDataDir } from '../../db/engine';
import { bulkWriteBounded, insertNew, MAX_STATEMENTS_PER_COMMAND } from '../../subgraphs/kit/bulk';
import { connectDatabase, type SubgraphDatabase } from '../../subgraphs/kit/database';
import { putAll } from '../../subgraphs/kit/journal';
import { replaceById } from '../../subgraphs/kit/persistence';

const DEADLINE_MS = 20_000;
let dataDir: string;
let engine: Database;
let database: SubgraphDatabase;

/** Fails with a clear message rather than waiting for the test's own timeout. */
async function withinDeadline<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} did not finish within ${DEADLINE_MS / 1000} s: the engine is stuck`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Row {
  _id: string;
  version: number;
  payload: string;
}

const rows = (count: number, version: number): Row[] =>
  Array.from({ length: count }, (_, index) => ({ _id: `row-${String(index).padStart(4, '0')}`, version, payload: `version ${version} of row ${index}` }));

beforeAll(async () => {
  dataDir = temporaryDataDir('bulk-writes-');
  engine = await startDatabase({ dataDir });
  database = await connectDatabase('bulk', { uri: engine.uri, dbName: 'bulk_writes' });
});

afterAll(async () => {
  // A stuck engine does not answer a close; it is killed with its process.
  await Promise.race([database?.close(), new Promise((done) => setTimeout(done, 2_000))]);
  await engine?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('writes of many statements on the embedded engine', () => {
  it('puts 500 documents that all exist already', async () => {
    const collection = database.connection.collection<Row>('putAllExisting');
    await withinDeadline('the first putAll', putAll(database.connection, 'putAllExisting', rows(500, 1)));
    await withinDeadline('putAll of 500 existing documents', putAll(database.connection, 'putAllExisting', rows(500, 2)));
    expect(await collection.countDocuments({})).toBe(500);
    expect(await collection.countDocuments({ version: 2 })).toBe(500);
  });

  it('replaces 500 documents in one bounded bulk write, in commands of a bounded size', async () => {
    const collection = database.connection.collection<Row>('bulkReplace');
    await insertNew(collection, rows(500, 1));
    database.commands.reset();
    const counts = await withinDeadline(
      'a bulk write of 500 replacements',
      bulkWriteBounded(
        collection,
        rows(500, 3).map((row) => ({ replaceOne: { filter: { _id: row._id }, replacement: row } })),
      ),
    );
    expect(counts.matched).toBe(500);
    expect(await collection.countDocuments({ version: 3 })).toBe(500);
    expect(database.commands.byName().update).toBe(500 / MAX_STATEMENTS_PER_COMMAND);
  });

  it('runs four bounded bulk writes of 500 replacements at once', async () => {
    const collection = database.connection.collection<Row>('concurrentBulk');
    await insertNew(collection, rows(2_000, 1));
    const writes = [0, 1, 2, 3].map((writer) =>
      bulkWriteBounded(
        collection,
        rows(2_000, 5)
          .filter((_, index) => index % 4 === writer)
          .map((row) => ({ replaceOne: { filter: { _id: row._id }, replacement: row } })),
      ),
    );
    await withinDeadline('four concurrent bulk writes', Promise.all(writes));
    expect(await collection.countDocuments({ version: 5 })).toBe(2_000);
  });

  it('reports which of 2,500 inserted documents existed already, by their position', async () => {
    const collection = database.connection.collection<Row>('insertNew');
    await insertNew(
      collection,
      rows(2_500, 1).filter((_, index) => index % 1_000 === 7),
    );
    const outcome = await withinDeadline('inserting 2,500 documents', insertNew(collection, rows(2_500, 1)));
    expect(outcome).toEqual({ inserted: 2_497, duplicates: [7, 1_007, 2_007] });
  });

  it('completes 300 single-document updates sent at once', async () => {
    const collection = database.connection.collection<Row>('concurrentUpdates');
    await insertNew(collection, rows(300, 1));
    await withinDeadline('300 concurrent updates', Promise.all(rows(300, 4).map((row) => collection.updateOne({ _id: row._id }, { $set: { version: 4 } }))));
    expect(await collection.countDocuments({ version: 4 })).toBe(300);
  });

  // The first start's two assessment batches once both wrote the queue's first token this way,
  // and one of them failed with E11000: FerretDB's upsert is a find, then an insert.
  it('writes each new key from four writers at once without a duplicate key error', async () => {
    const collection = database.connection.collection<Row>('sharedKeys');
    const keys = rows(25, 1).map((row) => row._id);
    const writes = keys.flatMap((_id) => [1, 2, 3, 4].map((version) => replaceById(collection, _id, { version, payload: `writer ${version}` })));
    await withinDeadline('100 upserts of 25 new keys', Promise.all(writes));
    expect(await collection.countDocuments({})).toBe(25);
  });
});
