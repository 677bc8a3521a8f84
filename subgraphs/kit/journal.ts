// Batches that survive crashes without transactions (FerretDB has none): a write-ahead journal.
//
// A batch says which documents must exist, with exactly which content, once it is done. It is
// first copied whole into the journal, then applied, then forgotten. Applying is repeatable, so
// a batch that a crash or an error interrupted is simply applied again, from the journal,
// before the next one: nothing is lost and nothing is counted twice. Counters are documents
// with absolute values, so applying them twice is harmless too.
//
// New documents are inserted in bulk, and the ones that already exist are replaced by `_id` in
// bulk writes, both cut to sizes the engine can take (bulk.ts). The collections of a batch are
// written side by side; what announces them (`thenPut`: the change feed) only once they are.
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
  /** The same, written only once all of `put` is: so whoever reads these finds what they announce. */
  thenPut?: Record<string, KeyedDocument[]>;
}

const JOURNAL = 'writeJournal';
/** Each batch's documents go to a collection of their own, which is dropped when done. */
const journalCollection = (batch: string) => `writeJournal_${batch}`;

interface JournalDocument {
  _id: string;
  collection: string;
  document: KeyedDocument;
  /** Part of `thenPut`. */
  then?: boolean;
}

export async function commitBatch(connection: Connection, batch: Batch): Promise<void> {
  await replayPending(connection);
  const stages = [batch.put, batch.thenPut ?? {}].map((put) => Object.fromEntries(Object.entries(put).filter(([, docs]) => docs.length > 0)));
  if (stages.every((stage) => Object.keys(stage).length === 0)) return;
  const id = randomUUID().replace(/-/g, '');
  const journalled: JournalDocument[] = stages.flatMap((stage, index) =>
    Object.entries(stage).flatMap(([collection, docs]) =>
      docs.map((document) => ({ _id: `${collection}/${document._id}`, collection, document, ...(index === 1 ? { then: true } : {}) })),
    ),
  );
  // The documents first, the header last: a header is only ever there with all its documents.
  await insertNew(connection.collection<JournalDocument>(journalCollection(id)), journalled);
  await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).insertOne({ _id: id, createdAt: new Date() });
  await apply(connection, id, stages[0]!, stages[1]!);
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
    const thenPut: Record<string, KeyedDocument[]> = {};
    for (const { collection, document, then } of journalled) ((then ? thenPut : put)[collection] ??= []).push(document);
    await apply(connection, id, put, thenPut);
  }
  return headers.length;
}

async function apply(connection: Connection, id: string, put: Record<string, KeyedDocument[]>, thenPut: Record<string, KeyedDocument[]>): Promise<void> {
  // Side by side: the engine then has a command from each collection to work on at once.
  await Promise.all(Object.entries(put).map(([collection, docs]) => putAll(connection, collection, docs)));
  await Promise.all(Object.entries(thenPut).map(([collection, docs]) => putAll(connection, collection, docs)));
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
