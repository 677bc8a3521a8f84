// Multi-statement writes, cut into commands every engine can take. The only module that sends
// `insertMany` or `bulkWrite` (test/unit/bounded-writes.test.ts keeps it so).
//
// FerretDB v1.24.2 kept, for each statement of an `update` command, the pooled connection that
// read its document until the whole command ended (db/build.ts now fixes that), and its pool is
// 50 connections: one command of many statements could wait forever for connections it held
// itself. So updates go in commands of at most MAX_STATEMENTS_PER_COMMAND statements, one after
// another, small enough that a few writers of one database at once stay inside the pool.
// Inserts hold no reader: at most MAX_DOCUMENTS_PER_INSERT documents a command, so that no
// command's size is the caller's, and INSERTS_IN_FLIGHT commands at once.
import type { Model, mongo } from 'mongoose';
import { checkBeforeWrite } from './database-deadline';
import { isDuplicateKeyError } from './persistence';

export const MAX_STATEMENTS_PER_COMMAND = 20;
export const MAX_DOCUMENTS_PER_INSERT = 1_000;

export interface BulkCounts {
  matched: number;
  modified: number;
  upserted: number;
  deleted: number;
}

/** Runs the operations unordered, in commands of at most MAX_STATEMENTS_PER_COMMAND statements. */
export async function bulkWriteBounded<TDoc extends mongo.Document>(
  collection: mongo.Collection<TDoc>,
  operations: readonly mongo.AnyBulkWriteOperation<TDoc>[],
): Promise<BulkCounts> {
  checkBeforeWrite();
  const counts: BulkCounts = { matched: 0, modified: 0, upserted: 0, deleted: 0 };
  for (const chunk of chunks(operations, MAX_STATEMENTS_PER_COMMAND)) {
    const result = await collection.bulkWrite([...chunk], { ordered: false });
    counts.matched += result.matchedCount;
    counts.modified += result.modifiedCount;
    counts.upserted += result.upsertedCount;
    counts.deleted += result.deletedCount;
  }
  return counts;
}

export interface InsertOutcome {
  inserted: number;
  /** Positions, in the documents given, of those whose `_id` was already taken. */
  duplicates: number[];
}

/**
 * Insert commands in flight at once for one call. A command is converted by the engine and then
 * written by PostgreSQL, one after the other; two at once keep both at work (first start: ingest
 * was using half of two cores).
 */
export const INSERTS_IN_FLIGHT = 2;

/** Inserts every document whose key is free; a taken key is reported, not thrown. */
export async function insertNew<TDoc extends mongo.Document>(
  collection: mongo.Collection<TDoc>,
  documents: readonly mongo.OptionalUnlessRequiredId<TDoc>[],
): Promise<InsertOutcome> {
  checkBeforeWrite();
  const outcome: InsertOutcome = { inserted: 0, duplicates: [] };
  const size = Math.min(MAX_DOCUMENTS_PER_INSERT, Math.max(1, Math.ceil(documents.length / INSERTS_IN_FLIGHT)));
  const parts = [...chunks(documents, size)].map((chunk, index) => ({ chunk, offset: index * size }));
  const insertPart = async ({ chunk, offset }: (typeof parts)[number]) => {
    try {
      // Awaited first: `inserted += await ...` would read the count before the wait and lose the other part's.
      const { insertedCount } = await collection.insertMany([...chunk], { ordered: false });
      outcome.inserted += insertedCount;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const duplicates = duplicateIndexes(error);
      outcome.inserted += chunk.length - duplicates.length;
      outcome.duplicates.push(...duplicates.map((index) => offset + index));
    }
  };
  for (const wave of chunks(parts, INSERTS_IN_FLIGHT)) await Promise.all(wave.map(insertPart));
  outcome.duplicates.sort((a, b) => a - b);
  return outcome;
}

/** The driver's collection behind a model, typed by its documents (mongoose's own is untyped). */
export function collectionOf<TDoc extends mongo.Document>(model: Model<TDoc>): mongo.Collection<TDoc> {
  return model.db.collection<TDoc>(model.collection.collectionName);
}

export function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

function duplicateIndexes(error: unknown): number[] {
  const writeErrors = (error as { writeErrors?: { index: number; code: number }[] | { index: number; code: number } }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.some((writeError) => writeError.code !== 11000)) throw error;
  return list.map((writeError) => writeError.index);
}

/**
 * Documents written before `field` existed get it, and whatever else `derive` gives, from the
 * fields `projection` reads; later writes set them themselves. Run at start-up: a no-op once done.
 */
export async function backfillMissing<TDoc extends { _id: string }>(
  model: Model<TDoc>,
  field: string,
  projection: Record<string, 1>,
  derive: (doc: TDoc) => object,
): Promise<number> {
  const missing = await model
    .find({ [field]: { $exists: false } } as never, projection)
    .lean<TDoc[]>()
    .exec();
  const collection = model.db.collection<{ _id: string }>(model.collection.collectionName);
  await bulkWriteBounded(
    collection,
    missing.map((doc) => ({ updateOne: { filter: { _id: doc._id }, update: { $set: derive(doc) } } })),
  );
  return missing.length;
}
