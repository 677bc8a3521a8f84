// Idempotent bulk writes by natural key: new documents are inserted in bulk, changed ones
// replaced, identical ones left alone. A retried batch therefore changes nothing, and it
// costs one read per batch instead of one write per document.
import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import { findByIds } from './batching';
import { putAll, type KeyedDocument } from './journal';

export type UpsertStatus = 'stored' | 'updated' | 'unchanged';

/** Bookkeeping fields that differ between two writes of the same content. */
const IGNORED_FIELDS = new Set(['createdAt', 'updatedAt']);

/** What happened to each document, in order. */
export async function upsertByKey<TDoc extends { _id: string }>(model: Model<TDoc>, documents: readonly TDoc[]): Promise<UpsertStatus[]> {
  if (documents.length === 0) return [];

  // Cast first, so defaults and types match what a stored document looks like.
  const incoming = new Map(documents.map((doc) => [doc._id, comparable(new model(doc).toObject({ versionKey: false }))]));
  // One $in find for the batch, served by the primary key's index.
  const stored = await findByIds<TDoc>(model, [...incoming.keys()]);
  const storedById = new Map(stored.map((doc) => [doc._id, comparable(doc)]));

  const statuses = documents.map((doc): UpsertStatus => {
    const before = storedById.get(doc._id);
    if (before === undefined) return 'stored';
    return isDeepStrictEqual(before, incoming.get(doc._id)) ? 'unchanged' : 'updated';
  });
  // putAll inserts in bulk and replaces whatever already exists.
  const changed = documents.filter((_, index) => statuses[index] !== 'unchanged');
  await putAll(model.db, model.collection.collectionName, changed as unknown as KeyedDocument[]);
  return statuses;
}

/** A plain-data view of a document without bookkeeping fields, for equality. */
function comparable(document: object): unknown {
  return JSON.parse(JSON.stringify(document, (key, value: unknown) => (IGNORED_FIELDS.has(key) ? undefined : value)));
}
