// Multi-statement writes, cut into commands every engine can take. The only module that sends
// `insertMany` or `bulkWrite` (test/unit/bounded-writes.test.ts keeps it so).
//
// FerretDB v1 keeps, for each statement of an `update` command, the pooled connection that read
// its document until the whole command ends, and each write needs one more. Its pools are 100
// connections per database on SQLite and 50 on PostgreSQL: one update of about 100 statements
// on SQLite (or two of 30 at once on PostgreSQL) waits forever for connections it holds itself.
// So writes go in commands of at most MAX_STATEMENTS_PER_COMMAND statements, one command after
// another, small enough that a few writers of one database at once stay inside either pool.
// Inserts hold no reader, but are bounded as well, so that no command's size is the caller's.
import type { Model, mongo } from 'mongoose';
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
export async function bulkWriteBounded<TDoc extends mongo.Document>(collection: mongo.Collection<TDoc>, operations: readonly mongo.AnyBulkWriteOperation<TDoc>[]): Promise<BulkCounts> {
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

/** Inserts every document whose key is free; a taken key is reported, not thrown. */
export async function insertNew<TDoc extends mongo.Document>(collection: mongo.Collection<TDoc>, documents: readonly mongo.OptionalUnlessRequiredId<TDoc>[]): Promise<InsertOutcome> {
  const outcome: InsertOutcome = { inserted: 0, duplicates: [] };
  let offset = 0;
  for (const chunk of chunks(documents, MAX_DOCUMENTS_PER_INSERT)) {
    try {
      outcome.inserted += (await collection.insertMany([...chunk], { ordered: false })).insertedCount;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const duplicates = duplicateIndexes(error);
      outcome.inserted += chunk.length - duplicates.length;
      outcome.duplicates.push(...duplicates.map((index) => offset + index));
    }
    offset += chunk.length;
  }
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
