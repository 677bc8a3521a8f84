// Batches that survive crashes without transactions (FerretDB has none): a write-ahead journal.
//
// A batch says which documents must exist, with exactly which content, once it is done. It is
// first copied whole into the journal, then applied, then forgotten. Applying is repeatable, so
// a batch that a crash interrupted is applied again, from the journal, when the subgraph starts
// (replayPending), and one that an error interrupted is applied again by its writer before it
// writes those keys again (UnfinishedBatchError): nothing is lost and nothing is counted twice.
// Only the writer of a batch's keys may apply it: a batch replayed beside newer writes of the
// same keys would put their older content back.
//
// New documents are inserted in bulk, and the ones that already exist are replaced by `_id` in
// bulk writes, both cut to sizes the engine can take (bulk.ts). The collections of a batch are
// written side by side; what announces them (`thenPut`: the change feed) only once they are.
import { randomUUID } from 'node:crypto';
import { mongo, type Connection } from 'mongoose';
import { bulkWriteBounded, insertNew } from './bulk';
import { commandLimits } from './database-deadline';

const { EJSON } = mongo.BSON;

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
/** Each batch goes to a collection of its own, which is dropped when done. */
const journalCollection = (batch: string) => `writeJournal_${batch}`;
/**
 * A batch is journalled as its Extended JSON text, in parts of at most this many characters
 * (documents are at most 16 MB): a few large documents cost the engine far less than one small
 * document per journalled one, each with its own schema and key to index.
 */
const JOURNAL_PART_CHARS = 4_000_000;

interface JournalPart {
  /** The part's position, zero-padded so that `_id` order is text order. */
  _id: string;
  text: string;
}

interface JournalledBatch {
  put: Record<string, KeyedDocument[]>;
  thenPut: Record<string, KeyedDocument[]>;
}

/** A batch is in the journal, but applying it failed: apply it with replayBatch before its keys are written again. */
export class UnfinishedBatchError extends Error {
  constructor(
    readonly batchId: string,
    cause: unknown,
  ) {
    super(`A journalled batch (${batchId}) could not be applied: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'UnfinishedBatchError';
  }
}

export async function commitBatch(connection: Connection, batch: Batch): Promise<void> {
  const [put, thenPut] = [batch.put, batch.thenPut ?? {}].map((stage) => Object.fromEntries(Object.entries(stage).filter(([, docs]) => docs.length > 0)));
  if (Object.keys(put!).length === 0 && Object.keys(thenPut!).length === 0) return;
  const id = await journal(connection, { put: put!, thenPut: thenPut! });
  try {
    await apply(connection, id, put!, thenPut!);
  } catch (error) {
    throw new UnfinishedBatchError(id, error);
  }
}

/** Writes the batch to the journal, header last, without applying it (what a crash right after leaves). */
export async function journal(connection: Connection, batch: JournalledBatch): Promise<string> {
  const id = randomUUID().replace(/-/g, '');
  // Canonical Extended JSON: dates, numbers and keys come back as they went in.
  const text = EJSON.stringify(batch, { relaxed: false });
  const parts: JournalPart[] = [];
  for (let start = 0; start < text.length; start += JOURNAL_PART_CHARS) {
    parts.push({ _id: String(parts.length).padStart(6, '0'), text: text.slice(start, start + JOURNAL_PART_CHARS) });
  }
  // The parts first, the header last: a header is only ever there with all its parts.
  await insertNew(connection.collection<JournalPart>(journalCollection(id)), parts);
  await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).insertOne({ _id: id, createdAt: new Date() });
  return id;
}

/** Whether an interrupted batch waits to be replayed. */
export async function hasPendingBatches(connection: Connection): Promise<boolean> {
  return (await connection.collection(JOURNAL).find({}, commandLimits()).limit(1).toArray()).length > 0;
}

/** At start, before any write: applies every batch an earlier run left unfinished, oldest first; returns how many. */
export async function replayPending(connection: Connection): Promise<number> {
  const headers = await connection.collection<{ _id: string; createdAt: Date }>(JOURNAL).find({}).sort({ createdAt: 1 }).toArray();
  for (const { _id: id } of headers) await replayBatch(connection, id);
  return headers.length;
}

/** Applies one journalled batch again; a batch already applied and forgotten is left alone. */
export async function replayBatch(connection: Connection, id: string): Promise<void> {
  if (!(await connection.collection<{ _id: string }>(JOURNAL).findOne({ _id: id }))) return;
  const parts = await connection.collection<JournalPart>(journalCollection(id)).find({}).sort({ _id: 1 }).toArray();
  const { put, thenPut } = EJSON.parse(parts.map((part) => part.text).join(''), { relaxed: false }) as JournalledBatch;
  await apply(connection, id, put, thenPut);
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
