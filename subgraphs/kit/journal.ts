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
import { bulkWriteBounded, chunks, insertNew, MAX_DOCUMENTS_PER_INSERT } from './bulk';

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
/** Every batch's documents, each under its batch: a table of its own per batch cost DDL on every write. */
const JOURNAL_ENTRIES = 'writeJournalEntries';

interface JournalDocument {
  /** batch/collection/document key */
  _id: string;
  batch: string;
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
      docs.map((document) => ({ _id: `${id}/${collection}/${document._id}`, batch: id, collection, document, ...(index === 1 ? { then: true } : {}) })),
    ),
  );
  // The documents first, the header last: a header is only ever there with all its documents.
  await insertNew(connection.collection<JournalDocument>(JOURNAL_ENTRIES), journalled);
  await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).insertOne({ _id: id, createdAt: new Date() });
  await apply(connection, id, stages[0]!, stages[1]!, journalled.map((entry) => entry._id));
}

/** Whether an interrupted batch waits to be replayed. */
export async function hasPendingBatches(connection: Connection): Promise<boolean> {
  return (await connection.collection(JOURNAL).find({}).limit(1).toArray()).length > 0;
}

/** Applies every batch an earlier run left unfinished, oldest first; returns how many. */
export async function replayPending(connection: Connection): Promise<number> {
  const headers = await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).find({}).sort({ createdAt: 1 }).toArray();
  for (const { _id: id } of headers) {
    // Read by a field no index serves: only after a crash, from a table that is empty otherwise.
    const journalled = await connection.collection<JournalDocument>(JOURNAL_ENTRIES).find({ batch: id }).toArray();
    const put: Record<string, KeyedDocument[]> = {};
    const thenPut: Record<string, KeyedDocument[]> = {};
    for (const { collection, document, then } of journalled) ((then ? thenPut : put)[collection] ??= []).push(document);
    await apply(connection, id, put, thenPut, journalled.map((entry) => entry._id));
  }
  return headers.length;
}

async function apply(connection: Connection, id: string, put: Record<string, KeyedDocument[]>, thenPut: Record<string, KeyedDocument[]>, entries: readonly string[]): Promise<void> {
  // Side by side: the engine then has a command from each collection to work on at once.
  await Promise.all(Object.entries(put).map(([collection, docs]) => putAll(connection, collection, docs)));
  await Promise.all(Object.entries(thenPut).map(([collection, docs]) => putAll(connection, collection, docs)));
  await connection.collection<{ _id: string }>(JOURNAL).deleteOne({ _id: id });
  // Forgotten by key, from the primary key's index. Entries a crash leaves here (or before their
  // header was written) are orphans that no header names: never read again, only kept.
  for (const keys of chunks(entries, MAX_DOCUMENTS_PER_INSERT)) await connection.collection<JournalDocument>(JOURNAL_ENTRIES).deleteMany({ _id: { $in: [...keys] } });
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
