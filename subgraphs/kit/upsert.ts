// Idempotent bulk writes by natural key: new documents are inserted in bulk, changed ones
// replaced, identical ones left alone. A retried batch therefore changes nothing, and it
// costs one read per batch instead of one write per document.
import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import { findByIds } from './batching';
import { putAll, type KeyedDocument } from './journal';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Bookkeeping fields that differ between two writes of the same content. */
const IGNORED_FIELDS = new Set(['createdAt', 'updatedAt']);

export async function upsertByKey<TDoc extends { _id: string }>(model: Model<TDoc>, documents: readonly TDoc[]): Promise<UpsertCounts> {
  const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
  if (documents.length === 0) return counts;

  // Cast first, so defaults and types match what a stored document looks like.
  const incoming = new Map(documents.map((doc) => [doc._id, comparable(new model(doc).toObject({ versionKey: false }))]));
  // One $in find for the batch, served by the primary key's index.
  const stored = await findByIds<TDoc>(model, [...incoming.keys()]);
  const storedById = new Map(stored.map((doc) => [doc._id, comparable(doc)]));

  const toInsert: TDoc[] = [];
  const toReplace: TDoc[] = [];
  for (const doc of documents) {
    const before = storedById.get(doc._id);
    if (before === undefined) toInsert.push(doc);
    else if (isDeepStrictEqual(before, incoming.get(doc._id))) counts.unchanged++;
    else toReplace.push(doc);
  }

  // putAll inserts in bulk and replaces whatever already exists, whoever wrote it meanwhile.
  await putAll(model.db, model.collection.collectionName, [...toInsert, ...toReplace] as unknown as KeyedDocument[]);
  counts.inserted = toInsert.length;
  counts.updated = toReplace.length;
  return counts;
}

export function describeCounts(counts: UpsertCounts): string {
  return `${counts.inserted} new, ${counts.updated} updated, ${counts.unchanged} unchanged`;
}

/** A plain-data view of a document without bookkeeping fields, for equality. */
function comparable(document: object): unknown {
  return JSON.parse(JSON.stringify(document, (key, value: unknown) => (IGNORED_FIELDS.has(key) ? undefined : value)));
}
