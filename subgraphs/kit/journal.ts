// Exactly-once batches without transactions (FerretDB has none): a write-ahead journal.
//
// A batch is a set of documents to store by key plus counters to increment. It is first
// saved whole in the journal, then applied: documents are replaced by key (repeatable), and
// each counter document records the batch id in the same update that increments it, so a
// counter can never take one batch twice. Only then is the batch forgotten. A batch that a
// crash or an error interrupted is replayed, from the journal, before the next batch: nothing
// is lost and nothing is counted twice.
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from './persistence';

export interface KeyedDocument {
  _id: string;
  [field: string]: unknown;
}

export interface Increment {
  collection: string;
  id: string;
  /** Dotted counter paths and the amounts to add (negative to take away). */
  inc: Record<string, number>;
}

export interface Batch {
  /** Collection name → complete documents (already cast), stored by `_id`. */
  documents: Record<string, KeyedDocument[]>;
  increments: Increment[];
}

/** Stored documents may not have dotted keys, so the journal keeps counter paths as values. */
interface JournalIncrement {
  collection: string;
  id: string;
  amounts: { path: string; amount: number }[];
}

interface JournalEntry {
  _id: string;
  createdAt: Date;
  documents: Batch['documents'];
  increments: JournalIncrement[];
}

const JOURNAL = 'writeJournal';
/** Where a counter document remembers the batches it has taken. */
const MARK = '_journal';

export async function commitBatch(connection: Connection, batch: Batch): Promise<void> {
  await replayPending(connection);
  const nothingToDo = batch.increments.length === 0 && Object.values(batch.documents).every((docs) => docs.length === 0);
  if (nothingToDo) return;
  if (batch.increments.length === 0) {
    // Replacing documents by key is repeatable on its own; the journal is for the counters.
    await storeDocuments(connection, batch.documents);
    return;
  }
  const entry: JournalEntry = {
    _id: randomUUID(),
    createdAt: new Date(),
    documents: batch.documents,
    increments: batch.increments.map(({ collection, id, inc }) => ({
      collection,
      id,
      amounts: Object.entries(inc).map(([path, amount]) => ({ path, amount })),
    })),
  };
  await connection.collection<JournalEntry>(JOURNAL).insertOne(entry);
  await apply(connection, entry);
}

/** Applies every batch an earlier run left unfinished, oldest first. */
export async function replayPending(connection: Connection): Promise<number> {
  const pending = await connection.collection<JournalEntry>(JOURNAL).find({}).sort({ createdAt: 1 }).toArray();
  for (const entry of pending) await apply(connection, entry);
  return pending.length;
}

async function apply(connection: Connection, entry: JournalEntry): Promise<void> {
  await storeDocuments(connection, entry.documents);
  const marker = `${MARK}.${entry._id}`;
  for (const { collection, id, amounts } of entry.increments) {
    const inc = Object.fromEntries(amounts.map(({ path, amount }) => [path, amount]));
    try {
      // Counter documents are plain documents keyed by a string.
      await connection
        .collection<{ _id: string }>(collection)
        .updateOne({ _id: id, [marker]: { $exists: false } }, { $inc: inc, $set: { [marker]: 1 } }, { upsert: true });
    } catch (error) {
      // The document exists and already took this batch: the filter missed, the upsert collided.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  const byCollection = new Map<string, string[]>();
  for (const { collection, id } of entry.increments) byCollection.set(collection, [...(byCollection.get(collection) ?? []), id]);
  for (const [collection, ids] of byCollection) {
    await connection.collection<{ _id: string }>(collection).updateMany({ _id: { $in: ids } }, { $unset: { [marker]: '' } });
  }
  await connection.collection<JournalEntry>(JOURNAL).deleteOne({ _id: entry._id });
}

async function storeDocuments(connection: Connection, documents: Record<string, KeyedDocument[]>): Promise<void> {
  for (const [collection, docs] of Object.entries(documents)) {
    if (docs.length === 0) continue;
    await connection.collection<KeyedDocument>(collection).bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
      { ordered: false },
    );
  }
}
