// Batches that survive crashes without transactions (FerretDB has none): a write-ahead journal.
//
// A batch says which documents must exist, with exactly which content, once it is done. It is
// first copied whole into the journal, then applied, then forgotten. Applying is repeatable, so
// a batch that a crash or an error interrupted is simply applied again, from the journal,
// before the next one: nothing is lost and nothing is counted twice. Counters are documents
// with absolute values, so applying them twice is harmless too.
//
// FerretDB's SQLite backend answers only `_id` equality from its primary key (finds, replaces
// and deletes alike); `$in` scans the collection. So new documents are inserted in bulk, and the
// ones that already exist are replaced by `_id` in bulk writes (a primary-key replace each on
// FerretDB), both cut to sizes the engine can take (bulk.ts).
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { bulkWriteBounded, insertNew } from './bulk';

export interface KeyedDocument {
  _id: string;
  [field: string]: unknown;
}

export interface Batch {
  /** Collection name → documents that must exist with exactly this content afterwards. */
  put: Record<string, KeyedDocument[]>;
}

const JOURNAL = 'writeJournal';
/** Each batch's documents go to a collection of their own, which is dropped, not scanned, when done
 * (db/ferretdb/idindex.go knows this name: it leaves these short-lived tables unindexed). */
const journalCollection = (batch: string) => `writeJournal_${batch}`;

interface JournalDocument {
  _id: string;
  collection: string;
  document: KeyedDocument;
}

export async function commitBatch(connection: Connection, batch: Batch): Promise<void> {
  await replayPending(connection);
  const entries = Object.entries(batch.put).filter(([, docs]) => docs.length > 0);
  if (entries.length === 0) return;
  const id = randomUUID().replace(/-/g, '');
  const journalled: JournalDocument[] = entries.flatMap(([collection, docs]) =>
    docs.map((document) => ({ _id: `${collection}/${document._id}`, collection, document })),
  );
  // The documents first, the header last: a header is only ever there with all its documents.
  await insertNew(connection.collection<JournalDocument>(journalCollection(id)), journalled);
  await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).insertOne({ _id: id, createdAt: new Date() });
  await apply(connection, id, Object.fromEntries(entries));
}

/** Whether an interrupted batch waits to be replayed. */
export async function hasPendingBatches(connection: Connection): Promise<boolean> {
  return (await connection.collection(JOURNAL).find({}).limit(1).toArray()).length > 0;
}

/** Applies every batch an earlier run left unfinished, oldest first; returns how many. */
export async function replayPending(connection: Connection): Promise<number> {
  const headers = await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).find({}).sort({ createdAt: 1 }).toArray();
  for (const { _id: id } of headers) {
    const journalled = await connection.collection<JournalDocument>(journalCollection(id)).find({}).toArray();
    const put: Record<string, KeyedDocument[]> = {};
    for (const { collection, document } of journalled) (put[collection] ??= []).push(document);
    await apply(connection, id, put);
  }
  return headers.length;
}

async function apply(connection: Connection, id: string, put: Record<string, KeyedDocument[]>): Promise<void> {
  for (const [collection, docs] of Object.entries(put)) await putAll(connection, collection, docs);
  await connection.collection<{ _id: string }>(JOURNAL).deleteOne({ _id: id });
  await connection
    .collection(journalCollection(id))
    .drop()
    .catch(() => {});
}

/** Makes each document exist with exactly this content. */
export async function putAll<TDoc extends { _id: string }>(connection: Connection, collection: string, documents: readonly TDoc[]): Promise<void> {
  if (documents.length === 0) return;
  const target = connection.collection<KeyedDocument>(collection);
  const docs = documents as readonly KeyedDocument[];
  const { duplicates } = await insertNew(target, docs);
  await bulkWriteBounded(
    target,
    duplicates.map((index) => ({ replaceOne: { filter: { _id: docs[index]!._id }, replacement: docs[index]!, upsert: true } })),
  );
}
